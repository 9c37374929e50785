import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
with torch.no_grad():
    model[2].weight[0, 0] = float("inf")  # (1)!

names = {module: name for name, module in model.named_modules()}


def check_finite(module, args, output):
    if not torch.isfinite(output).all():
        raise RuntimeError(f"layer {names[module]} ({type(module).__name__}) output is not finite")


handles = [module.register_forward_hook(check_finite) for module in model.modules()]  # (2)!
try:
    model(torch.randn(4, 8))
except RuntimeError as error:
    print("RuntimeError:", error)  # (3)!
for handle in handles:
    handle.remove()

print("output without the check:", model(torch.randn(4, 8)).flatten())  # (4)!
