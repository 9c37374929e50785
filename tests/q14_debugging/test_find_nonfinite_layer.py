import torch


def test_first_non_finite_layer_is_named(snippet):
    lines = snippet.stdout.splitlines()
    assert lines[0] == "RuntimeError: layer 2 (Linear) output is not finite"
    ns = snippet.namespace
    with torch.no_grad():
        hidden = ns["model"][1](ns["model"][0](torch.randn(4, 8)))
        assert torch.isfinite(hidden).all()  # the layers before it are fine
        assert not torch.isfinite(ns["model"][2](hidden)).all()


def test_hooks_are_removed_and_the_bad_output_flows_through(snippet):
    ns = snippet.namespace
    assert all(not module._forward_hooks for module in ns["model"].modules())
    assert "output without the check: tensor([" in snippet.stdout
    assert "inf" in snippet.stdout.splitlines()[1] or "nan" in snippet.stdout.splitlines()[1]
