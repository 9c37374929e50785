import os
import re
import warnings

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


def test_validation_uses_no_grad_in_fit_and_inference_mode_in_validate(snippet):
    """Annotation 5: fit's validation loop runs under no_grad, trainer.validate (by default)
    under inference_mode, both in eval mode."""
    ns = snippet.namespace
    seen = {}

    class Probe(ns["Classifier"]):
        def validation_step(self, batch, batch_idx):
            state = (self.training, torch.is_grad_enabled(), torch.is_inference_mode_enabled())
            seen[self.trainer.state.fn.value] = state
            return super().validation_step(batch, batch_idx)

    trainer = ns["L"].Trainer(
        accelerator="cpu",
        max_epochs=1,
        limit_train_batches=1,
        limit_val_batches=1,
        num_sanity_val_steps=0,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    model, datamodule = Probe(), ns["NoisyBlobs"]()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"`isinstance\(treespec, LeafSpec\)`")
        trainer.fit(model, datamodule=datamodule)
        trainer.validate(model, datamodule=datamodule, verbose=False)
    assert seen == {"fit": (False, False, False), "validate": (False, False, True)}


def test_code_from_older_tutorials_fails_as_the_page_says(snippet):
    """The closing table: removed Trainer arguments -> TypeError, trainer.tune() ->
    AttributeError, training_epoch_end -> NotImplementedError; pytorch_lightning's classes do
    not mix with lightning's (TypeError)."""
    import pytorch_lightning

    ns = snippet.namespace
    L = ns["L"]
    removed = (
        "gpus",
        "tpu_cores",
        "resume_from_checkpoint",
        "auto_lr_find",
        "auto_scale_batch_size",
    )
    for name in removed:
        with pytest.raises(TypeError, match=f"unexpected keyword argument '{name}'"):
            L.Trainer(**{name: 1})
    trainer = L.Trainer(accelerator="cpu", max_epochs=1, logger=False, enable_progress_bar=False)
    with pytest.raises(AttributeError, match="tune"):
        trainer.tune(ns["Classifier"]())

    class OldStyle(ns["Classifier"]):
        def training_epoch_end(self, outputs):
            pass

    with pytest.raises(NotImplementedError, match="training_epoch_end"):
        trainer.fit(OldStyle(), datamodule=ns["NoisyBlobs"]())

    class Other(pytorch_lightning.LightningModule):
        pass

    assert pytorch_lightning.__version__ == L.__version__  # same code, other classes
    with pytest.raises(TypeError, match="`model` must be a `LightningModule`"):
        trainer.fit(Other())


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    from lightning.pytorch.accelerators import CUDAAccelerator

    trainer = snippet.namespace["trainer"]
    assert isinstance(trainer.accelerator, CUDAAccelerator)
    assert trainer.strategy.root_device.type == "cuda"
    assert "trainer parts: CUDAAccelerator, SingleDeviceStrategy, Precision" in snippet.stdout
