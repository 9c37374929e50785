import torch


def test_nothing_requires_grad(snippet):
    model = snippet.namespace["model"]
    assert not any(p.requires_grad for p in model.parameters())
    assert snippet.stdout.splitlines()[0] == "trainable parameters: 0"


def test_train_mode_updates_running_stats_eval_mode_does_not(snippet):
    lines = snippet.stdout.splitlines()
    assert lines[1] == "train(): 20 of 20 BatchNorm layers updated their running stats"
    assert lines[2] == "eval():  0 of 20 BatchNorm layers updated their running stats"
    model = snippet.namespace["model"]
    assert not model.training
    # Every BatchNorm layer saw exactly one train-mode batch, even under no_grad.
    counts = {bn.num_batches_tracked.item() for bn in snippet.namespace["batch_norms"]}
    assert counts == {1}


def test_running_stats_are_buffers_not_parameters(snippet):
    model = snippet.namespace["model"]
    parameters = {name for name, _ in model.named_parameters()}
    buffers = {name for name, _ in model.named_buffers()}
    assert "bn1.running_mean" in buffers
    assert {name for name, _ in model.bn1.named_buffers()} == {
        "running_mean",
        "running_var",
        "num_batches_tracked",
    }
    assert "bn1.running_mean" not in parameters
    # requires_grad_ only touches parameters; buffers never require grad anyway.
    assert not any(b.requires_grad for b in model.buffers())
    assert all(isinstance(b, torch.Tensor) for b in model.buffers())
