import pytest
import torch


def test_checkpoint_holds_config_and_weights(snippet):
    ns = snippet.namespace
    checkpoint = torch.load(snippet.workdir / "mlp.pt")
    assert set(checkpoint) == {"config", "state_dict"}
    assert checkpoint["config"] == ns["config"]
    for name, tensor in ns["model"].state_dict().items():
        assert torch.equal(checkpoint["state_dict"][name], tensor), name


def test_model_rebuilt_from_the_file_alone(snippet):
    ns = snippet.namespace
    checkpoint = torch.load(snippet.workdir / "mlp.pt")
    rebuilt = ns["MLP"](**checkpoint["config"])
    rebuilt.load_state_dict(checkpoint["state_dict"])
    inputs = torch.randn(3, 4)
    with torch.no_grad():
        assert torch.equal(rebuilt(inputs), ns["model"](inputs))


def test_the_original_attribute_does_not_exist_and_shapes_are_checked(snippet):
    lines = snippet.stdout.splitlines()
    assert lines[0] == "AttributeError: 'MLP' object has no attribute 'architecture'"
    assert lines[1] == "same outputs: True"
    assert lines[2].startswith("RuntimeError: size mismatch for net.0.weight")
    assert not hasattr(snippet.namespace["restored"], "architecture")


def test_strict_false_tolerates_missing_keys_but_not_other_shapes(snippet):
    # A new head (5 outputs instead of 3): strict=False still raises on the old head's
    # shapes; drop the replaced layer's keys first, then only those are missing.
    ns = snippet.namespace
    state_dict = torch.load(snippet.workdir / "mlp.pt")["state_dict"]
    new_head = ns["MLP"](in_features=4, hidden=16, out_features=5)
    with pytest.raises(RuntimeError, match="size mismatch for net.2.weight"):
        new_head.load_state_dict(state_dict, strict=False)
    kept = {name: t for name, t in state_dict.items() if not name.startswith("net.2.")}
    result = new_head.load_state_dict(kept, strict=False)
    assert result.missing_keys == ["net.2.weight", "net.2.bias"]
    assert result.unexpected_keys == []
    assert torch.equal(new_head.net[0].weight, ns["model"].net[0].weight)
