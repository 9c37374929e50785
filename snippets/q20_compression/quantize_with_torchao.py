import copy
import os

import torch
from torch import nn
from torch.utils import benchmark
from torchao.quantization import (  # (1)!
    Int8DynamicActivationInt8WeightConfig,
    Int8WeightOnlyConfig,
    quantize_,
)

torch.manual_seed(0)

model = nn.Sequential(
    nn.Conv2d(3, 16, 3, padding=1),
    nn.ReLU(),
    nn.AdaptiveAvgPool2d(8),
    nn.Flatten(),
    nn.Linear(1024, 1024),
    nn.ReLU(),
    nn.Linear(1024, 1024),
    nn.ReLU(),
    nn.Linear(1024, 10),
).eval()
x = torch.randn(64, 3, 16, 16)


def file_size(model, path):
    torch.save(model.state_dict(), path)  # (2)!
    return os.path.getsize(path)


def best_ms(model):
    timer = benchmark.Timer(stmt="model(x)", globals={"model": model, "x": x})  # (3)!
    with torch.inference_mode():
        return min(timer.blocked_autorange(min_run_time=0.3).times) * 1e3


with torch.inference_mode():
    reference = model(x)
fp32_size = file_size(model, "fp32.pt")
print(f"fp32:             {fp32_size:>9,} bytes, {best_ms(model):.3f} ms per batch")

configs = {
    "int8_weight_only": Int8WeightOnlyConfig(),  # (4)!
    "int8_dynamic": Int8DynamicActivationInt8WeightConfig(),  # (5)!
}
for name, config in configs.items():
    quantized = copy.deepcopy(model)
    quantize_(quantized, config)  # (6)!
    with torch.inference_mode():
        output = quantized(x)
    error = ((output - reference).abs().max() / reference.abs().max()).item()
    size = file_size(quantized, f"{name}.pt")
    print(
        f"{name + ':':17} {size:>9,} bytes ({size / fp32_size:.0%}), "
        f"{best_ms(quantized):.3f} ms per batch, max error {error:.1%} of max |output|"
    )

print("conv weight:  ", type(quantized[0].weight).__name__)  # (7)!
print("linear weight:", type(quantized[4].weight).__name__)
