import re

import torch


def test_hooks_captured_every_layer(snippet):
    ns = snippet.namespace
    model, activations, gradients = ns["model"], ns["activations"], ns["gradients"]
    names = [name for name, _ in model.named_children()]
    assert list(activations) == names
    assert sorted(gradients) == sorted(names)
    with torch.no_grad():
        assert torch.equal(activations["0"], model[0](ns["inputs"]))
    for name in names:
        assert gradients[name].shape == activations[name].shape


def test_captured_gradient_is_dloss_doutput(snippet):
    ns = snippet.namespace
    model, activations, gradients = ns["model"], ns["activations"], ns["gradients"]
    last = activations["4"].clone().requires_grad_(True)
    loss = torch.nn.functional.mse_loss(last, ns["targets"])
    (expected,) = torch.autograd.grad(loss, last)
    assert torch.allclose(gradients["4"], expected)
    assert not model[0]._forward_hooks  # removed after use


def test_dead_units_and_clipping_are_reported(snippet):
    ns = snippet.namespace
    dead = re.findall(r"^(\d) ReLU .*dead units (\d+)/32$", snippet.stdout, re.M)
    assert dead == [
        (name, str(int((ns["activations"][name] == 0).all(dim=0).sum()))) for name in ("1", "3")
    ]
    grads = [p.grad for p in ns["model"].parameters()]
    norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
    # clip_grad_norm_ returns the norm before clipping and scales the gradients down to max_norm
    assert torch.isclose(norm, torch.clamp(ns["total_norm"], max=1.0), rtol=1e-5)
    assert f"before clipping: {ns['total_norm']:.4f}" in snippet.stdout


def test_no_gradient_flows_back_through_dead_units(snippet):
    # The page says: no gradient flows back through a dead unit, so the weights feeding it stop
    # learning. The gradient of the loss with respect to its output is not zero, though.
    ns = snippet.namespace
    dead = (ns["activations"]["3"] == 0).all(dim=0)
    assert dead.sum() == 2
    assert ns["gradients"]["3"][:, dead].abs().sum() > 0
    assert torch.all(ns["gradients"]["2"][:, dead] == 0)
    feeding = ns["model"][2]
    assert torch.all(feeding.weight.grad[dead] == 0)
    assert torch.all(feeding.bias.grad[dead] == 0)
    assert torch.all(feeding.weight.grad[~dead].abs().sum(dim=1) > 0)
