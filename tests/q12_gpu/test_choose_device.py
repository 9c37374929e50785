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


def test_accelerator_without_check_reports_the_build_not_the_machine(snippet):
    built_for = snippet.namespace["built_for"]
    if torch.version.cuda is not None or torch.version.hip is not None:
        # a CUDA (or ROCm) build says cuda whether or not a GPU can be used right now
        assert built_for.type == "cuda"
        assert snippet.stdout.splitlines()[-1] == "built for: cuda"
    elif not torch.backends.mps.is_built() and not torch.xpu._is_compiled():
        assert built_for is None


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    ns = snippet.namespace
    assert ns["device"].type == ns["accelerator"].type == "cuda"
    lines = snippet.stdout.splitlines()
    assert f"GPUs visible: {torch.cuda.device_count()}" in lines
    assert f"GPU 0: {torch.cuda.get_device_name(0)}" in lines
