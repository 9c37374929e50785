import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

features = torch.randn(256, 10)
labels = (features.sum(dim=1) > 0).long()
loader = DataLoader(
    TensorDataset(features, labels),
    batch_size=32,
    shuffle=True,
    pin_memory=device.type == "cuda",  # (1)!
)

model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 2)).to(device)  # (2)!
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

for epoch in range(3):
    total = 0.0
    for inputs, targets in loader:
        inputs = inputs.to(device, non_blocking=True)  # (3)!
        targets = targets.to(device, non_blocking=True)

        outputs = model(inputs)
        loss = loss_fn(outputs, targets)

        optimizer.zero_grad()
        loss.backward()
        optimizer.step()  # (4)!
        total += loss.item() * len(inputs)  # (5)!
    print(f"epoch {epoch}  mean loss {total / len(loader.dataset):.4f}")

model.eval()
with torch.no_grad():
    predictions = model(features.to(device)).argmax(dim=1).cpu()  # (6)!
print("accuracy on the training data:", (predictions == labels).float().mean().item())
