import re

import pytest
import torch


@pytest.fixture(scope="module", autouse=True)
def _restore_backend_settings():
    """The snippet switches global cuDNN and matmul settings on a GPU; later tests get them back."""
    benchmark, precision = torch.backends.cudnn.benchmark, torch.get_float32_matmul_precision()
    yield
    torch.backends.cudnn.benchmark = benchmark
    torch.set_float32_matmul_precision(precision)


def test_the_gpu_settings_are_on_only_with_a_gpu(snippet):
    lines = snippet.stdout.splitlines()
    if torch.cuda.is_available():
        assert lines[:2] == ["cudnn.benchmark: True", "float32 matmul precision: high"]
        assert torch.backends.cuda.matmul.allow_tf32  # the same switch under its other name
        assert all(p.is_cuda for m in snippet.namespace["models"].values() for p in m.parameters())
        assert torch.cuda.max_memory_allocated() > 0
    else:
        assert lines[:2] == ["cudnn.benchmark: False", "float32 matmul precision: highest"]


def test_channels_last_changes_the_layout_not_the_result(snippet):
    ns = snippet.namespace
    weight = ns["models"]["channels_last"][0].weight
    assert weight.is_contiguous(memory_format=torch.channels_last)
    assert not weight.is_contiguous()
    assert ns["batches"]["channels_last"].is_contiguous(memory_format=torch.channels_last)
    assert ns["batches"]["channels_last"].shape == ns["batches"]["contiguous"].shape
    assert "same loss in both formats: True" in snippet.stdout
    grads = [m[0].weight.grad for m in ns["models"].values()]
    tolerance = 1e-1 if torch.cuda.is_available() else 1e-2  # bfloat16 on a GPU
    torch.testing.assert_close(grads[0], grads[1].contiguous(), atol=tolerance, rtol=tolerance)


def test_times_both_formats(snippet):
    rows = re.findall(r"^(contiguous|channels_last) *: [\d.]+ ms per step$", snippet.stdout, re.M)
    assert rows == ["contiguous", "channels_last"]
    if not torch.cuda.is_available():
        # The page says channels_last did not make this CPU step faster (typically 0.6-1.1x).
        best = snippet.namespace["best"]
        assert best["contiguous"] < 1.3 * best["channels_last"]


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    lines = snippet.stdout.splitlines()
    assert lines[:2] == ["cudnn.benchmark: True", "float32 matmul precision: high"]
    ns = snippet.namespace
    assert all(p.is_cuda for m in ns["models"].values() for p in m.parameters())
    assert all(batch.is_cuda for batch in ns["batches"].values())
