import os
import re

import pytest
import torch
from torch import nn


@pytest.fixture(scope="module", autouse=True)
def _restore_environ():
    # seed_everything() and deterministic=True export PL_GLOBAL_SEED / CUBLAS_WORKSPACE_CONFIG.
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def val_losses(stdout):
    return [float(v) for v in re.findall(r"^epoch \d+: val_loss (\d+\.\d+)", stdout, re.M)]


def test_early_stopping_stops_two_epochs_after_the_best(snippet):
    ns = snippet.namespace
    losses = val_losses(snippet.stdout)
    best_epoch = losses.index(min(losses))
    stopped = ns["early_stopping"].stopped_epoch
    assert stopped == len(losses) - 1 == best_epoch + ns["early_stopping"].patience
    assert len(losses) < ns["trainer"].max_epochs
    assert ns["trainer"].should_stop


def test_checkpoint_keeps_only_the_best_epoch(snippet):
    ns = snippet.namespace
    losses = val_losses(snippet.stdout)
    best_epoch = losses.index(min(losses))
    files = sorted(p.name for p in (snippet.workdir / "checkpoints").iterdir())
    assert files == [f"epoch={best_epoch}-step={(best_epoch + 1) * 8}.ckpt"]
    assert ns["checkpoint"].best_model_score.item() == pytest.approx(min(losses), abs=1e-4)
    assert not (snippet.workdir / "lightning_logs").exists()  # logger=False writes no logs


def test_final_checkpoint_reloads_to_the_same_predictions(snippet):
    ns = snippet.namespace
    Classifier = ns["Classifier"]
    reloaded = Classifier.load_from_checkpoint(snippet.workdir / "final.ckpt").eval()
    x = torch.randn(32, 10)
    with torch.no_grad():
        expected = ns["model"].eval()(x.to(ns["model"].device))
        assert torch.equal(reloaded(x.to(reloaded.device)), expected)
    assert "same predictions: True" in snippet.stdout


def test_best_checkpoint_is_plain_torch_and_reproduces_its_score(snippet):
    ns = snippet.namespace
    path = ns["checkpoint"].best_model_path
    raw = torch.load(path, map_location="cpu", weights_only=True)
    assert raw["hyper_parameters"] == {"hidden": 64, "lr": 3e-3}
    net = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 2))
    net.load_state_dict({k.removeprefix("net."): v for k, v in raw["state_dict"].items()})
    best = ns["best"]
    x = ns["x"].to(best.device)
    net.to(best.device)
    with torch.no_grad():
        assert torch.equal(net(x), best(x))
        # after fit() the in-memory model holds the last epoch's weights, not the best ones
        assert not torch.equal(net(x), ns["model"](x))
    assert ns["metrics"]["val_loss"] == ns["checkpoint"].best_model_score.item()


def test_trainer_parts_match_the_device(snippet):
    ns = snippet.namespace
    expected = "CUDAAccelerator" if torch.cuda.is_available() else "CPUAccelerator"
    assert f"trainer parts: {expected}, SingleDeviceStrategy, Precision" in snippet.stdout
    # ModelCheckpoint was passed first; the Trainer moves checkpoint callbacks to the end
    names = [type(c).__name__ for c in ns["trainer"].callbacks]
    assert names == ["EarlyStopping", "PrintMetrics", "ModelCheckpoint"]


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    from lightning.pytorch.accelerators import CUDAAccelerator

    trainer = snippet.namespace["trainer"]
    assert isinstance(trainer.accelerator, CUDAAccelerator)
    assert trainer.strategy.root_device.type == "cuda"
    assert "trainer parts: CUDAAccelerator, SingleDeviceStrategy, Precision" in snippet.stdout
