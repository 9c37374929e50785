import torch
from torch import nn

torch.manual_seed(0)

inputs = torch.randn(64, 3)  # (1)!
true_w = torch.tensor([[2.0], [-1.0], [0.5]])
targets = inputs @ true_w + 0.3

model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1))
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

for step in range(101):
    outputs = model(inputs)  # (2)!
    loss = loss_fn(outputs, targets)  # (3)!

    optimizer.zero_grad()  # (4)!
    loss.backward()  # (5)!
    optimizer.step()  # (6)!

    if step % 25 == 0:
        print(f"step {step:3d}  loss {loss.item():.4f}")
