import gc
import weakref

import pytest
import torch


def test_backward_adds_to_grad(snippet):
    lines = snippet.stdout.splitlines()
    assert lines[:3] == [f"w.grad after backward: {v}" for v in (3.0, 6.0, 9.0)]


def test_zero_grad_sets_grad_to_none(snippet):
    assert "w.grad after zero_grad: None" in snippet.stdout


def test_retain_graph_allows_a_second_backward_only(snippet):
    assert "two backward calls on one graph: 4.0" in snippet.stdout
    assert "third call: Trying to backward through the graph a second time" in snippet.stdout
    # the second backward freed what the multiplication node had saved for it
    with pytest.raises(RuntimeError, match="already been freed"):
        _ = snippet.namespace["y"].grad_fn._saved_self


def test_a_graph_that_saved_no_tensors_can_be_backpropagated_again(snippet):
    lines = snippet.stdout.splitlines()
    assert lines[-1] == "w + w, two backward calls without retain_graph: 4.0"
    assert snippet.namespace["s"].grad_fn.name() == "AddBackward0"


def test_saved_tensors_are_freed_when_the_graph_is_dropped(snippet):
    w = snippet.namespace["w"]
    freed = []

    class Saved:
        def __init__(self, tensor):
            self.tensor = tensor
            weakref.finalize(self, freed.append, True)

    with torch.autograd.graph.saved_tensors_hooks(Saved, lambda saved: saved.tensor):
        y = w * w
    assert freed == []
    del y  # no backward: dropping the graph frees what its nodes saved
    gc.collect()
    assert freed == [True, True]  # both factors of w * w
