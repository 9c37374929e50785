import re

import pytest
import torch


def epoch_lines(stdout):
    return re.findall(r"^  epoch \d+ .*$", stdout, re.M)


def test_resumed_run_continues_the_straight_run_exactly(snippet):
    ns = snippet.namespace
    lines = epoch_lines(snippet.stdout)
    straight, first_part, second_part = lines[:6], lines[6:9], lines[9:]
    assert first_part == straight[:3]
    assert second_part == straight[3:]
    assert snippet.stdout.rstrip().endswith("equals the straight run exactly: True")
    for a, b in zip(ns["straight"].parameters(), ns["resumed"].parameters(), strict=True):
        assert torch.equal(a, b)


def test_checkpoint_file_holds_the_training_state(snippet):
    ns = snippet.namespace
    checkpoint = torch.load(snippet.workdir / "checkpoint.pt")
    assert checkpoint["epoch"] == 3
    assert checkpoint["config"] == ns["config"]
    assert checkpoint["scheduler"]["last_epoch"] == 3
    steps_per_epoch = len(ns["dataset"]) // 32
    for state in checkpoint["optimizer"]["state"].values():
        assert state["step"].item() == 3 * steps_per_epoch
        assert state["exp_avg"].abs().sum() > 0
    final = ns["straight"].state_dict()
    assert any(not torch.equal(t, final[name].cpu()) for name, t in checkpoint["model"].items())


def resume_without(ns, path, left_out):
    checkpoint = torch.load(path, map_location="cpu")
    model, optimizer, scheduler, loader, generator = ns["build"](checkpoint["config"], seed=7)
    model.load_state_dict(checkpoint["model"])
    if left_out != "optimizer":
        optimizer.load_state_dict(checkpoint["optimizer"])
    if left_out != "scheduler":
        scheduler.load_state_dict(checkpoint["scheduler"])
    if left_out != "rng":
        torch.set_rng_state(checkpoint["rng"]["torch"])
        if checkpoint["rng"]["cuda"]:
            torch.cuda.set_rng_state_all(checkpoint["rng"]["cuda"])
        generator.set_state(checkpoint["rng"]["loader"])
    ns["train"](model, optimizer, scheduler, loader, checkpoint["epoch"], ns["epochs"])
    return model


# The learning rate each resumed epoch (3, 4, 5) runs at: the current rate lives in the
# optimizer's param_groups, while only the scheduler's last_epoch knows it halves after epoch 3.
RESUMED_LRS = {
    None: [0.005, 0.0025, 0.0025],
    "optimizer": [0.01, 0.005, 0.005],
    "scheduler": [0.005, 0.005, 0.0025],
    "rng": [0.005, 0.0025, 0.0025],
}


@pytest.mark.parametrize("left_out", list(RESUMED_LRS))
def test_every_part_of_the_checkpoint_is_needed(snippet, left_out, capsys):
    ns = snippet.namespace
    capsys.readouterr()
    model = resume_without(ns, snippet.workdir / "checkpoint.pt", left_out)
    lrs = [float(lr) for lr in re.findall(r"lr (\S+)", capsys.readouterr().out)]
    assert lrs == RESUMED_LRS[left_out]
    pairs = zip(model.parameters(), ns["straight"].parameters(), strict=True)
    same = all(torch.equal(a, b) for a, b in pairs)
    assert same == (left_out is None)


def test_printed_lr_is_the_optimizers(snippet):
    lrs = [float(lr) for lr in re.findall(r"lr (\S+)", snippet.stdout)]
    assert lrs[3:6] == RESUMED_LRS[None]
    assert snippet.namespace["optimizer"].param_groups[0]["lr"] == 0.00125


def test_runs_on_the_gpu_when_there_is_one(snippet):
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    ns = snippet.namespace
    assert ns["device"].type == expected
    for name in ("straight", "resumed"):
        assert {p.device.type for p in ns[name].parameters()} == {expected}
    for state in ns["optimizer"].state.values():
        assert state["exp_avg"].device.type == expected


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    ns = snippet.namespace
    assert all(p.is_cuda for p in ns["resumed"].parameters())
    checkpoint = torch.load(snippet.workdir / "checkpoint.pt", map_location="cpu")
    # The CUDA generators were saved too, one state per GPU.
    assert len(checkpoint["rng"]["cuda"]) == torch.cuda.device_count()
