"""The workload behind the mixed-precision speed table on the Q12 page (snippets/snippets.toml).

snippets/q12_gpu/mixed_precision.py shows the API on a model too small to time; this times one
training step of a larger MLP in float32 and under autocast, the way that snippet trains
(GradScaler with float16). `python3 .ci/gpu.py` runs it several times on a GPU and tabulates the
medians. On a CPU it runs a small version, only so that the tests can check it works.
"""

import torch
from torch import nn
from torch.utils import benchmark

torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
width, batch = (4096, 4096) if device.type == "cuda" else (64, 32)
model = nn.Sequential(nn.Linear(width, width), nn.ReLU(), nn.Linear(width, width)).to(device)
optimizer = torch.optim.SGD(model.parameters(), lr=1e-4)
inputs = torch.randn(batch, width, device=device)
targets = torch.randn(batch, width, device=device)


def step(dtype, scaler):
    with torch.autocast(device.type, dtype=dtype, enabled=dtype != torch.float32):
        loss = nn.functional.mse_loss(model(inputs), targets)
    optimizer.zero_grad()
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()


dtypes = [torch.float32, torch.bfloat16] + ([torch.float16] if device.type == "cuda" else [])
for dtype in dtypes:
    scaler = torch.amp.GradScaler(device.type, enabled=dtype == torch.float16)
    name = "float32" if dtype == torch.float32 else f"autocast {str(dtype).removeprefix('torch.')}"
    timer = benchmark.Timer(stmt="step(dtype, scaler)", globals=globals() | {"dtype": dtype})
    median = timer.blocked_autorange(min_run_time=0.5 if device.type == "cuda" else 0.05).median
    print(f"{name}: {width}x{width} MLP, batch {batch}, median {median * 1e3:.3f} ms per step")
