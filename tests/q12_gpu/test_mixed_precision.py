import pytest
import torch


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


@pytest.mark.cuda
def test_cuda_path_ran_in_float16_with_a_scaler_that_scaled(snippet):
    ns = snippet.namespace
    assert ns["device"].type == "cuda"
    assert ns["outputs"].is_cuda
    assert ns["outputs"].dtype == ns["amp_dtype"] == torch.float16
    state = ns["scaler"].state_dict()  # empty when the scaler is disabled
    # The loss was multiplied by the scale before backward: 2**16 at first, halved per overflow.
    assert state["scale"] >= 2.0**16 / 2**3
