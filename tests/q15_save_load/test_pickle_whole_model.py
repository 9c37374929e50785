import pickle

import pytest
import torch


def test_default_load_refuses_a_pickled_module(snippet):
    path = snippet.workdir / "whole_model.pt"
    with pytest.raises(pickle.UnpicklingError, match=r"GLOBAL __main__\.TinyNet"):
        torch.load(path)
    needed = sorted(torch.serialization.get_unsafe_globals_in_checkpoint(path))
    assert needed == ["__main__.TinyNet", "torch.nn.modules.linear.Linear"]
    assert f"globals it needs: {needed}" in snippet.stdout


def test_trusted_loads_give_back_the_same_module(snippet):
    ns = snippet.namespace
    for loaded in (ns["allowed"], ns["loaded"]):
        assert type(loaded).__name__ == "TinyNet"
        assert loaded is not ns["model"]
        assert torch.equal(loaded.fc.weight, ns["model"].fc.weight)
        assert torch.equal(loaded.fc.bias, ns["model"].fc.bias)


def test_loading_needs_the_class_importable(snippet):
    assert "TinyNet" not in snippet.namespace
    # Here __main__ is pytest, which has no TinyNet either: the same failure as in the snippet.
    with pytest.raises(AttributeError, match="TinyNet"):
        torch.load(snippet.workdir / "whole_model.pt", weights_only=False)
    assert snippet.stdout.splitlines()[-1] == "without the class: Can't get attribute 'TinyNet'"
