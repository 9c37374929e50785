import torch
from torch import nn
from torch.utils import benchmark

torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 1)).to(device)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
inputs = torch.randn(256, 32, device=device)
targets = torch.randn(256, 1, device=device)


def train_step(x, y):
    loss = nn.functional.mse_loss(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


per_sample = {}
for batch_size in (1, 16, 256):
    timer = benchmark.Timer(
        stmt="train_step(x, y)",
        globals={"train_step": train_step, "x": inputs[:batch_size], "y": targets[:batch_size]},
    )
    step = timer.blocked_autorange(min_run_time=0.2).median
    per_sample[batch_size] = step / batch_size
    print(
        f"batch size {batch_size:>3}: {step * 1e6:.1f} us per step, "
        f"{per_sample[batch_size] * 1e6:.2f} us per sample"
    )

print("batch 256 over 10x faster per sample than batch 1:", per_sample[1] > 10 * per_sample[256])
