import pytest


def test_mismatch_raises_and_moving_inputs_fixes_it(snippet):
    first, second = snippet.stdout.splitlines()
    assert first.startswith("RuntimeError: ")
    assert "device" in first
    device = snippet.namespace["device"]
    assert second.startswith(f"output device: {device.type}")


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    ns = snippet.namespace
    assert ns["device"].type == "cuda"
    assert ns["model"].weight.is_cuda
    first, second = snippet.stdout.splitlines()
    assert "cuda:0" in first  # the error names both devices
    assert "cpu" in first
    assert second == "output device: cuda:0"
