import lightning as L
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

fabric = L.Fabric(accelerator="auto", devices=1, precision="32-true")  # (1)!
torch.manual_seed(0)

features = torch.randn(256, 10)
labels = (features.sum(dim=1) > 0).long()
loader = DataLoader(TensorDataset(features, labels), batch_size=32, shuffle=True)

model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model, optimizer = fabric.setup(model, optimizer)  # (2)!
loader = fabric.setup_dataloaders(loader)  # (3)!
loss_fn = nn.CrossEntropyLoss()

for epoch in range(3):
    total = 0.0
    for inputs, targets in loader:  # (4)!
        loss = loss_fn(model(inputs), targets)
        optimizer.zero_grad()
        fabric.backward(loss)  # (5)!
        optimizer.step()
        total += loss.item() * len(inputs)
    fabric.print(f"epoch {epoch}  mean loss {total / len(loader.dataset):.4f}")  # (6)!

fabric.save("fabric.ckpt", {"model": model, "optimizer": optimizer, "epoch": epoch})  # (7)!

new_model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 2))
new_optimizer = torch.optim.SGD(new_model.parameters(), lr=0.1)
new_model, new_optimizer = fabric.setup(new_model, new_optimizer)
remainder = fabric.load("fabric.ckpt", {"model": new_model, "optimizer": new_optimizer})  # (8)!
print("not restored in place:", remainder)
with torch.no_grad():
    x = features.to(fabric.device)
    print("reloaded, same predictions:", torch.equal(new_model(x), model(x)))
