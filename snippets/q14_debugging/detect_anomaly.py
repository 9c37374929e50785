import torch


def masked_sqrt(x):
    return torch.where(x > 0, torch.sqrt(x), 0.0)  # (1)!


x = torch.tensor([4.0, 1.0, -1.0], requires_grad=True)
loss = masked_sqrt(x).sum()
loss.backward()
print("loss:", loss.item())
print("grad:", x.grad)  # (2)!

x.grad = None
with torch.autograd.detect_anomaly():  # (3)!
    loss = masked_sqrt(x).sum()
    try:
        loss.backward()
    except RuntimeError as error:
        print("RuntimeError:", error)  # (4)!


def fixed_sqrt(x):
    positive = x > 0
    return torch.where(positive, torch.sqrt(torch.where(positive, x, 1.0)), 0.0)  # (5)!


x.grad = None
fixed_sqrt(x).sum().backward()
print("fixed grad:", x.grad)

x64 = torch.tensor([4.0, 1.0, -1.0], dtype=torch.float64, requires_grad=True)
print("gradcheck:", torch.autograd.gradcheck(fixed_sqrt, (x64,)))  # (6)!
