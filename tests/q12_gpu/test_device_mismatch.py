import pytest
import torch

pytestmark = pytest.mark.gpu


def test_mismatch_raises_and_moving_inputs_fixes_it(snippet):
    first, second, third = snippet.stdout.splitlines()
    assert first.startswith("RuntimeError: ")
    assert "device" in first
    device = snippet.namespace["device"]
    assert second.startswith(f"output device: {device.type}")
    # a 0-dim CPU tensor is the exception to the rule, a 1-element one is not
    assert third.startswith(f"times a 0-dim CPU tensor: {device.type}")
    weight = snippet.namespace["model"].weight
    with pytest.raises(RuntimeError):
        weight * torch.ones(1)
