import torch
from torch import nn

model = nn.Linear(4, 2)
x = torch.randn(8, 4)

out = model(x)
print("training forward records a graph:", out.requires_grad, out.grad_fn.name())

with torch.no_grad():  # (1)!
    out = model(x)
print("under no_grad:", out.requires_grad, out.grad_fn)

with torch.inference_mode():  # (2)!
    out = model(x)
print("under inference_mode:", out.requires_grad, out.is_inference())

features = model(x).detach()  # (3)!
print("detached:", features.requires_grad)

for param in model.parameters():  # (4)!
    param.requires_grad_(False)
print("frozen model output requires grad:", model(x).requires_grad)
