import copy

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


def test_bfloat16_parameters_get_bfloat16_gradients_and_optimizer_state(snippet):
    ns = snippet.namespace
    model = copy.deepcopy(ns["model"]).to(torch.bfloat16)
    optimizer = torch.optim.Adam(model.parameters())
    model(ns["inputs"].to(torch.bfloat16)).float().pow(2).mean().backward()
    optimizer.step()
    weight = model[0].weight
    assert weight.grad.dtype == torch.bfloat16
    assert optimizer.state[weight]["exp_avg"].dtype == torch.bfloat16


@pytest.mark.cuda
def test_cuda_path_ran_in_float16_with_a_scaler_that_scaled(snippet):
    ns = snippet.namespace
    assert ns["device"].type == "cuda"
    assert ns["outputs"].is_cuda
    assert ns["outputs"].dtype == ns["amp_dtype"] == torch.float16
    state = ns["scaler"].state_dict()  # empty when the scaler is disabled
    # The loss was multiplied by the scale before backward: 2**16 at first, halved per overflow.
    assert state["scale"] >= 2.0**16 / 2**3
