import copy
import time

import torch
from torch import nn
from torch.utils import benchmark

torch.manual_seed(0)
torch.set_num_threads(1)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
eager = nn.Sequential(
    nn.Linear(64, 64),
    nn.LayerNorm(64),
    nn.GELU(),
    nn.Linear(64, 64),
    nn.LayerNorm(64),
    nn.GELU(),
    nn.Linear(64, 10),
).to(device)
mode = "reduce-overhead" if device.type == "cuda" else "default"
compiled = torch.compile(copy.deepcopy(eager), mode=mode)  # (1)!
optimizers = {model: torch.optim.SGD(model.parameters(), lr=0.1) for model in (eager, compiled)}
inputs = torch.randn(64, 64, device=device)
targets = torch.randint(0, 10, (64,), device=device)


def train_step(model):
    loss = nn.functional.cross_entropy(model(inputs), targets)
    optimizers[model].zero_grad()
    loss.backward()
    optimizers[model].step()
    return loss.item()


start = time.perf_counter()
losses = [(train_step(eager), train_step(compiled)) for _ in range(3)]  # (2)!
print(f"3 steps, the first one compiling: {time.perf_counter() - start:.1f} s")
print("same losses:", all(abs(a - b) < 1e-4 for a, b in losses))

timers = {
    name: benchmark.Timer("train_step(m)", globals={"train_step": train_step, "m": model})  # (3)!
    for name, model in (("eager", eager), ("compiled", compiled))
}
best = dict.fromkeys(timers, float("inf"))
for _ in range(100):
    for name, timer in timers.items():
        best[name] = min(best[name], timer.timeit(1).median)  # (4)!
for name, seconds in best.items():
    print(f"{name:<8}: {seconds * 1e6:.0f} us per step")
print("compiled over 1.3x faster:", best["eager"] > 1.3 * best["compiled"])  # (5)!
