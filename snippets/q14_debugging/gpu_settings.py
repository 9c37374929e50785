import copy

import torch
from torch import nn
from torch.utils import benchmark

torch.manual_seed(0)
torch.set_num_threads(1)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
if device.type == "cuda":
    torch.backends.cudnn.benchmark = True  # (1)!
    torch.set_float32_matmul_precision("high")  # (2)!
print("cudnn.benchmark:", torch.backends.cudnn.benchmark)
print("fp32 precision, CUDA matmul:", torch.backends.cuda.matmul.fp32_precision)
print("fp32 precision, cuDNN conv:", torch.backends.cudnn.conv.fp32_precision)

model = nn.Sequential(
    nn.Conv2d(3, 16, 3, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 32, 3, padding=1),
    nn.ReLU(),
    nn.AdaptiveAvgPool2d(1),
    nn.Flatten(),
    nn.Linear(32, 10),
).to(device)
images = torch.randn(8, 3, 32, 32, device=device)
labels = torch.randint(0, 10, (8,), device=device)
formats = {"contiguous": torch.contiguous_format, "channels_last": torch.channels_last}
models = {name: copy.deepcopy(model).to(memory_format=f) for name, f in formats.items()}  # (3)!
batches = {name: images.to(memory_format=f) for name, f in formats.items()}


def forward_backward(model, x):
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):  # (4)!
        loss = nn.functional.cross_entropy(model(x), labels)
    loss.backward()
    return loss


losses = [forward_backward(models[name], batches[name]) for name in formats]
print("same loss in both formats:", torch.allclose(*losses, rtol=1e-2, atol=1e-2))
timers = {
    name: benchmark.Timer(
        "f(m, x)", globals={"f": forward_backward, "m": models[name], "x": batches[name]}
    )
    for name in formats
}
best = dict.fromkeys(timers, float("inf"))
for _ in range(20):
    for name, timer in timers.items():
        best[name] = min(best[name], timer.timeit(1).median)
for name, seconds in best.items():
    print(f"{name:<13}: {seconds * 1e3:.2f} ms per step")
