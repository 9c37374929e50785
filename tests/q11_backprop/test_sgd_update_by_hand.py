import torch


def test_sgd_subtracts_learning_rate_times_gradient(snippet):
    ns = snippet.namespace
    assert torch.allclose(ns["model"].weight, ns["before"] - 0.1 * ns["grad"])
    assert not torch.allclose(ns["model"].weight, ns["before"] - ns["before"] * ns["grad"])
    assert snippet.stdout.rstrip().endswith("matches w - lr * grad: True")
