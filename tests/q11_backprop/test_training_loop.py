import re

import torch


def test_loss_goes_down(snippet):
    losses = [float(v) for v in re.findall(r"loss (\d+\.\d+)", snippet.stdout)]
    assert len(losses) == 5
    assert losses == sorted(losses, reverse=True)
    assert losses[-1] < losses[0] / 10


def test_model_learned_the_linear_map(snippet):
    ns = snippet.namespace
    error = ns["loss_fn"](ns["model"](ns["inputs"]), ns["targets"]).item()
    assert error < 0.05


def test_mse_loss_averages_over_all_elements(snippet):
    loss_fn = snippet.namespace["loss_fn"]
    assert loss_fn.reduction == "mean"
    target = torch.ones(4, 3)
    target[0, 0] = 13.0
    # squared errors sum to 13**2 + 11 * 1**2 = 180: divided by 12 elements, not by 4 samples
    assert loss_fn(torch.zeros(4, 3), target).item() == 15.0
