import pytest
import torch

pytestmark = pytest.mark.gpu


def test_autocast_computes_in_low_precision_and_keeps_fp32_weights(snippet):
    ns = snippet.namespace
    low = "torch.float16" if ns["device"].type == "cuda" else "torch.bfloat16"
    lines = snippet.stdout.splitlines()
    assert lines == [
        f"step {i}: outputs {low}, loss torch.float32, weights torch.float32" for i in range(3)
    ]
    assert ns["model"][0].weight.dtype == torch.float32


def test_grad_scaler_only_for_float16(snippet):
    ns = snippet.namespace
    assert ns["scaler"].is_enabled() == (ns["amp_dtype"] == torch.float16)
