import pytest
import torch


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


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    ns = snippet.namespace
    assert ns["device"].type == "cuda"
    assert ns["model"].weight.is_cuda
    first, second, third = snippet.stdout.splitlines()
    assert "cuda:0" in first  # the error names both devices
    assert "cpu" in first
    assert second == "output device: cuda:0"
    assert third == "times a 0-dim CPU tensor: cuda:0"
