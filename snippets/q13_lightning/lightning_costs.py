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
for us, name in re.findall(r"(\d+) \|\s+(torch|lightning)$", child.stderr, re.M):
    print(f"import {name}: {int(us) / 1e6:.1f} s")
heavy = {"torch._dynamo", "sympy", "torchmetrics", "torchvision"}
print("pulled in by lightning:", sorted(heavy & set(child.stdout.split())))  # (2)!
for cls in (L.LightningModule, L.Callback):
    hooks = [n for n, _ in inspect.getmembers(cls, inspect.isfunction) if n.startswith("on_")]
    print(f"{cls.__name__}: {len(hooks)} on_* hooks")

warnings.filterwarnings("ignore", message=r"`isinstance\(treespec, LeafSpec\)`")
torch.set_num_threads(1)
torch.manual_seed(0)
features = torch.randn(1024, 10)
loader = DataLoader(TensorDataset(features, (features.sum(1) > 0).long()), batch_size=32)


class Wrapped(L.LightningModule):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.net = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 2))

    def training_step(self, batch, batch_idx):
        x, y = batch
        return nn.functional.cross_entropy(self.net(x), y)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


def plain_loop():
    module = Wrapped()  # (3)!
    optimizer = module.configure_optimizers()
    for _ in range(2):
        for batch_idx, batch in enumerate(loader):
            loss = module.training_step(batch, batch_idx)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return module


def trainer_fit(module_class=Wrapped):
    module = module_class()
    L.Trainer(accelerator="cpu", max_epochs=2, barebones=True).fit(module, loader)  # (4)!
    return module


trained = {}
for train in (plain_loop, trainer_fit):
    seconds = []
    for _ in range(3):
        start = time.process_time()  # (5)!
        trained[train.__name__] = train()
        seconds.append(time.process_time() - start)
    print(f"{train.__name__}: {2 * len(loader)} steps, {min(seconds) * 1e3:.0f} ms CPU time")
pairs = zip(trained["plain_loop"].parameters(), trained["trainer_fit"].parameters(), strict=True)
print("same weights:", all(torch.equal(a, b) for a, b in pairs))  # (6)!


class Broken(Wrapped):
    def training_step(self, batch, batch_idx):
        raise RuntimeError("bug in training_step")


try:
    trainer_fit(Broken)
except RuntimeError as err:
    frames = traceback.extract_tb(err.__traceback__)
in_lightning = [f for f in frames if Path(f.filename).is_relative_to(Path(L.__file__).parent)]
print(f"traceback to training_step: {len(frames)} frames, {len(in_lightning)} in lightning")
for i in range(0, len(frames), 6):  # (7)!
    print("  " + " > ".join(f.name for f in frames[i : i + 6]))
