import pytest
import torch


def test_picks_cuda_exactly_when_available(snippet):
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert snippet.namespace["device"].type == expected
    assert snippet.stdout.splitlines()[0] == f"device: {expected}"


def test_accelerator_check_is_explicit(snippet):
    accelerator = snippet.namespace["accelerator"]
    if torch.cuda.is_available():
        assert accelerator.type == "cuda"
    else:
        assert accelerator is None


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    ns = snippet.namespace
    assert ns["device"].type == ns["accelerator"].type == "cuda"
    lines = snippet.stdout.splitlines()
    assert f"GPUs visible: {torch.cuda.device_count()}" in lines
    assert f"GPU 0: {torch.cuda.get_device_name(0)}" in lines
