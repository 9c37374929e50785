import warnings
from pathlib import Path

import lightning as L
import torch
from lightning.pytorch.callbacks import Callback, EarlyStopping, ModelCheckpoint
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split


class NoisyBlobs(L.LightningDataModule):  # (1)!
    def __init__(self, batch_size=32):
        super().__init__()
        self.batch_size = batch_size

    def setup(self, stage):
        g = torch.Generator().manual_seed(0)
        x = torch.randn(384, 10, generator=g)
        y = (x.sum(dim=1) > 0).long()
        flip = torch.rand(384, generator=g) < 0.1  # 10% wrong labels
        y[flip] = 1 - y[flip]
        self.train_set, self.val_set = random_split(TensorDataset(x, y), [256, 128], generator=g)

    def train_dataloader(self):
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val_set, batch_size=64)


class Classifier(L.LightningModule):  # (2)!
    def __init__(self, hidden=64, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()  # (3)!
        self.net = nn.Sequential(nn.Linear(10, hidden), nn.ReLU(), nn.Linear(hidden, 2))

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):  # (4)!
        x, y = batch
        return nn.functional.cross_entropy(self(x), y)

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", nn.functional.cross_entropy(logits, y))  # (5)!
        self.log("val_acc", (logits.argmax(dim=1) == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


class PrintMetrics(Callback):  # (6)!
    def on_train_epoch_end(self, trainer, pl_module):
        loss, acc = trainer.callback_metrics["val_loss"], trainer.callback_metrics["val_acc"]
        print(f"epoch {trainer.current_epoch}: val_loss {loss:.4f}  val_acc {acc:.3f}")


if __name__ == "__main__":
    warnings.filterwarnings(  # (7)!
        "ignore", message=r"`isinstance\(treespec, LeafSpec\)`", category=FutureWarning
    )
    L.seed_everything(0)
    datamodule = NoisyBlobs()
    model = Classifier()
    checkpoint = ModelCheckpoint(dirpath="checkpoints", monitor="val_loss", mode="min")  # (8)!
    early_stopping = EarlyStopping(monitor="val_loss", mode="min", patience=2)
    trainer = L.Trainer(
        max_epochs=30,
        devices=1,  # (9)!
        callbacks=[checkpoint, early_stopping, PrintMetrics()],
        logger=False,  # (10)!
        enable_progress_bar=False,
        enable_model_summary=False,
        deterministic=True,
    )
    trainer.fit(model, datamodule=datamodule)
    print(f"stopped after epoch {early_stopping.stopped_epoch}")
    best_name = Path(checkpoint.best_model_path).name
    print(f"best: {best_name}, val_loss {checkpoint.best_model_score:.4f}")
    parts = (trainer.accelerator, trainer.strategy, trainer.precision_plugin)
    print("trainer parts:", ", ".join(type(p).__name__ for p in parts))  # (11)!

    trainer.save_checkpoint("final.ckpt")  # (12)!
    final = Classifier.load_from_checkpoint("final.ckpt").eval()  # (13)!
    model.eval()
    x = datamodule.val_set[:][0]
    with torch.no_grad():
        same = torch.equal(final(x.to(final.device)), model(x.to(model.device)))
    print("final.ckpt reloaded, same predictions:", same)

    best = Classifier.load_from_checkpoint(checkpoint.best_model_path)  # (14)!
    [metrics] = trainer.validate(best, datamodule=datamodule, verbose=False)
    print(f"{best_name} reloaded: val_loss {metrics['val_loss']:.4f}, {dict(best.hparams)}")
