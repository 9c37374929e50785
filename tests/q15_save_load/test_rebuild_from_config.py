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
