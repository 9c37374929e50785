import torch
from torch import nn

torch.manual_seed(0)
model = nn.Linear(2, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

loss = model(torch.tensor([[1.0, 2.0]])).pow(2).sum()
loss.backward()

before = model.weight.detach().clone()
grad = model.weight.grad.clone()
optimizer.step()

expected = before - 0.1 * grad  # (1)!
print("weight before:", before)
print("gradient:     ", grad)
print("weight after: ", model.weight.detach())
print("matches w - lr * grad:", torch.allclose(model.weight, expected))
