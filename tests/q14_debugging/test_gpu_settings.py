import re

import pytest
import torch


def _matmul_settings():
    return (
        torch.get_float32_matmul_precision(),  # the old setting
        torch.backends.cuda.matmul.fp32_precision,  # the per-backend settings that replace it
        torch.backends.mkldnn.matmul.fp32_precision,
    )


def _restore_matmul_settings(settings):
    precision, cuda_matmul, mkldnn_matmul = settings
    torch.set_float32_matmul_precision(precision)  # sets the old and the new settings together
    torch.backends.cuda.matmul.fp32_precision = cuda_matmul
    torch.backends.mkldnn.matmul.fp32_precision = mkldnn_matmul


@pytest.fixture(scope="module", autouse=True)
def _restore_backend_settings():
    """The snippet switches global cuDNN and matmul settings on a GPU; later tests get them back."""
    benchmark, matmul = torch.backends.cudnn.benchmark, _matmul_settings()
    yield
    torch.backends.cudnn.benchmark = benchmark
    _restore_matmul_settings(matmul)


def test_the_gpu_settings_are_on_only_with_a_gpu(snippet):
    lines = snippet.stdout.splitlines()
    if torch.cuda.is_available():
        assert lines[:3] == [
            "cudnn.benchmark: True",
            "fp32 precision, CUDA matmul: tf32",
            "fp32 precision, cuDNN conv: tf32",
        ]
        # set_float32_matmul_precision("high") set the old setting too, so reading it works
        assert torch.get_float32_matmul_precision() == "high"
        assert torch.backends.cuda.matmul.allow_tf32
        assert all(p.is_cuda for m in snippet.namespace["models"].values() for p in m.parameters())
        assert torch.cuda.max_memory_allocated() > 0
    else:
        # The page says: the default "none" leaves TF32 off for matmuls; cuDNN convolutions allow it
        assert lines[:3] == [
            "cudnn.benchmark: False",
            "fp32 precision, CUDA matmul: none",
            "fp32 precision, cuDNN conv: tf32",
        ]
        assert torch.get_float32_matmul_precision() == "highest"
        assert not torch.backends.cuda.matmul.allow_tf32


def test_setting_only_the_new_matmul_switch_breaks_readers_of_the_old_one(snippet):
    # The page says: set alone, fp32_precision leaves the old flag behind, and code still reading
    # that flag raises a RuntimeError.
    saved = _matmul_settings()
    try:
        torch.set_float32_matmul_precision("highest")
        torch.backends.cuda.matmul.fp32_precision = "tf32"
        with pytest.raises(RuntimeError, match="mix of the legacy and new APIs"):
            torch.backends.cuda.matmul.allow_tf32  # noqa: B018
        with pytest.raises(RuntimeError, match="mix of the legacy and new APIs"):
            torch.get_float32_matmul_precision()
        torch.set_float32_matmul_precision("high")  # what the snippet calls: both in step
        assert torch.backends.cuda.matmul.fp32_precision == "tf32"
        assert torch.backends.cuda.matmul.allow_tf32
    finally:
        _restore_matmul_settings(saved)


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
        # The page says channels_last brought no speed-up on this CPU (contiguous over
        # channels_last time: 0.57-1.03 in eight runs, most of them on a loaded machine).
        best = snippet.namespace["best"]
        assert best["contiguous"] < 1.2 * best["channels_last"]


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    lines = snippet.stdout.splitlines()
    assert lines[:2] == ["cudnn.benchmark: True", "fp32 precision, CUDA matmul: tf32"]
    ns = snippet.namespace
    assert all(p.is_cuda for m in ns["models"].values() for p in m.parameters())
    assert all(batch.is_cuda for batch in ns["batches"].values())
