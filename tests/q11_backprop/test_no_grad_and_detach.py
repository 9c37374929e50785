import pytest
import torch


def test_no_graph_is_recorded_without_grad(snippet):
    assert snippet.stdout.splitlines() == [
        "training forward records a graph: True AddmmBackward0",
        "under no_grad: False None",
        "under inference_mode: False True",
        "detached: False",
        "frozen model output requires grad: False",
    ]
    assert all(not p.requires_grad for p in snippet.namespace["model"].parameters())


def test_inference_tensors_cannot_be_saved_for_backward_or_modified_in_place(snippet):
    inference_out = snippet.namespace["out"]  # the output computed under inference_mode
    assert inference_out.is_inference()
    w = torch.ones(2, requires_grad=True)
    assert (inference_out + w).grad_fn.name() == "AddBackward0"  # an addition saves nothing
    with pytest.raises(RuntimeError, match="cannot be saved for backward"):
        inference_out * w
    with pytest.raises(RuntimeError, match="cannot be saved for backward"):
        torch.nn.functional.linear(inference_out, torch.ones(2, 2, requires_grad=True))
    with pytest.raises(RuntimeError, match="Inplace update to inference tensor"):
        inference_out.add_(1)
