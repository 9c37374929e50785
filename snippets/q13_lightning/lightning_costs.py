import inspect
import re
import subprocess
import sys
import time
import traceback
import warnings
from pathlib import Path

import lightning as L
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

CHILD = "import sys, torch; m = set(sys.modules); import lightning; print(*set(sys.modules) - m)"
child = subprocess.run(  # (1)!
    [sys.executable, "-X", "importtime", "-c", CHILD], capture_output=True, text=True, check=True
)
seconds = {
    name: int(us) / 1e6
    for us, name in re.findall(r"(\d+) \|\s+(torch|lightning)$", child.stderr, re.M)
}
print(f"import torch: {seconds['torch']:.1f} s")
print(f"import lightning, after torch: {seconds['lightning']:.1f} s")
new_modules = set(child.stdout.split())
heavy = ["torch._dynamo", "sympy", "torchmetrics", "torchvision"]
print("pulled in by lightning:", [m for m in heavy if m in new_modules])  # (2)!

for cls in (L.LightningModule, L.Callback):
    hooks = [n for n, _ in inspect.getmembers(cls, inspect.isfunction) if n.startswith("on_")]
    print(f"{cls.__name__}: {len(hooks)} on_* hooks")  # (3)!

warnings.filterwarnings(
    "ignore", message=r"`isinstance\(treespec, LeafSpec\)`", category=FutureWarning
)
torch.set_num_threads(1)  # (4)!
torch.manual_seed(0)
features = torch.randn(1024, 10)
labels = (features.sum(dim=1) > 0).long()
loader = DataLoader(TensorDataset(features, labels), batch_size=32, shuffle=True)
EPOCHS = 2


def make_net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 2))


def train_plain():
    net = make_net()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    for _ in range(EPOCHS):
        for x, y in loader:
            loss = nn.functional.cross_entropy(net(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return net


class Wrapped(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = make_net()

    def training_step(self, batch, batch_idx):
        x, y = batch
        return nn.functional.cross_entropy(self.net(x), y)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


def make_trainer():
    return L.Trainer(
        accelerator="cpu",  # (5)!
        devices=1,
        max_epochs=EPOCHS,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )


def train_lightning():
    module = Wrapped()
    make_trainer().fit(module, loader)
    return module.net


def cpu_time(train):
    times = []
    for _ in range(3):
        t0 = time.process_time()
        net = train()
        times.append(time.process_time() - t0)
    return net, min(times)  # (6)!


steps = EPOCHS * len(loader)
plain_net, plain_s = cpu_time(train_plain)
lightning_net, lightning_s = cpu_time(train_lightning)
print(f"plain loop:  {steps} steps, {plain_s * 1e3:.0f} ms CPU time")
print(f"Trainer.fit: {steps} steps, {lightning_s * 1e3:.0f} ms CPU time")
pairs = zip(plain_net.parameters(), lightning_net.parameters(), strict=True)
print("same weights:", all(torch.equal(a, b) for a, b in pairs))  # (7)!


class Broken(Wrapped):
    def training_step(self, batch, batch_idx):
        raise RuntimeError("bug in training_step")


try:
    make_trainer().fit(Broken(), loader)
except RuntimeError as err:
    frames = traceback.extract_tb(err.__traceback__)
lightning_dir = Path(L.__file__).parent
in_lightning = [f for f in frames if Path(f.filename).is_relative_to(lightning_dir)]
print(f"traceback to training_step: {len(frames)} frames, {len(in_lightning)} in lightning")  # (8)!
for i in range(0, len(frames), 6):
    print("  " + " > ".join(f.name for f in frames[i : i + 6]))
