import copy
import os

import torch
from torch import nn
from torchao.quantization import (  # (1)!
    Int8DynamicActivationInt8WeightConfig,
    Int8WeightOnlyConfig,
    IntxWeightOnlyConfig,
    quantize_,
)
from torchao.utils import should_reduce_range

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
with torch.inference_mode():
    reference = model(x)


def file_size(model, path):
    torch.save(model.state_dict(), path)  # (2)!
    return os.path.getsize(path)


def linear_or_conv(module, fqn):
    return isinstance(module, (nn.Linear, nn.Conv2d))


fp32_size = file_size(model, "fp32.pt")
print(f"fp32:             {fp32_size:>9,} bytes")
configs = {
    "int8_weight_only": (Int8WeightOnlyConfig(), None),  # (3)!
    "int8_dynamic": (
        Int8DynamicActivationInt8WeightConfig(reduce_range=should_reduce_range(x.device)),  # (4)!
        None,
    ),
    "int4_weight_only": (IntxWeightOnlyConfig(weight_dtype=torch.int4), linear_or_conv),  # (5)!
}
quantized = {}
for name, (config, filter_fn) in configs.items():
    quantized[name] = copy.deepcopy(model)
    quantize_(quantized[name], config, filter_fn=filter_fn)  # (6)!
    with torch.inference_mode():
        error = (quantized[name](x) - reference).abs().max() / reference.abs().max()  # (7)!
    size = file_size(quantized[name], f"{name}.pt")
    ratio, conv = size / fp32_size, type(quantized[name][0].weight).__name__
    print(f"{name + ':':17} {size:>9,} bytes ({ratio:.0%}), error {error:.1%}, conv {conv}")
