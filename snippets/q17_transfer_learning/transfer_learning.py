from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets
from torchvision.models import ResNet18_Weights, resnet18
from torchvision.transforms import v2

DATA_DIR = Path("data/hymenoptera_data")  # (1)!
BATCH_SIZE = 4
HEAD_EPOCHS = 2
FINETUNE_EPOCHS = 1

torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

weights = ResNet18_Weights.DEFAULT
model = resnet18(weights=weights)
preprocess = weights.transforms()
train_transform = v2.Compose(  # (2)!
    [
        v2.ToImage(),
        v2.RandomResizedCrop(preprocess.crop_size),
        v2.RandomHorizontalFlip(),
        v2.ToDtype(torch.float32, scale=True),
        v2.Normalize(preprocess.mean, preprocess.std),
    ]
)

train_set = datasets.ImageFolder(DATA_DIR / "train", transform=train_transform)  # (3)!
val_set = datasets.ImageFolder(DATA_DIR / "val", transform=preprocess)
print("classes:", train_set.class_to_idx)
print(f"images: {len(train_set)} train, {len(val_set)} val")
generator = torch.Generator().manual_seed(0)
train_loader = DataLoader(
    train_set,
    batch_size=BATCH_SIZE,
    shuffle=True,
    generator=generator,  # (4)!
)
val_loader = DataLoader(val_set, batch_size=BATCH_SIZE)

model.requires_grad_(False)  # (5)!
model.fc = nn.Linear(model.fc.in_features, len(train_set.classes))  # (6)!
model.to(device)


def count_trainable(model):
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    return f"{trainable:,} of {total:,} parameters trainable"


def snapshot(model):
    return {name: t.detach().clone() for name, t in model.state_dict().items()}


def changed_parts(before, after):  # (7)!
    return sorted(
        {name.split(".")[0] for name in before if not torch.equal(before[name], after[name])}
    )


def set_train_mode(model):  # (8)!
    model.train()
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d) and not module.weight.requires_grad:
            module.eval()


def train_one_epoch(model, loader, loss_fn, optimizer):
    set_train_mode(model)
    total_loss = 0.0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        loss = loss_fn(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(labels)
    return total_loss / len(loader.dataset)


@torch.no_grad()
def evaluate(model, loader):  # (9)!
    model.eval()
    correct = 0
    for images, labels in loader:
        predictions = model(images.to(device)).argmax(dim=1)
        correct += (predictions.cpu() == labels).sum().item()
    return correct, len(loader.dataset)


loss_fn = nn.CrossEntropyLoss()
initial = snapshot(model)

print("head only:", count_trainable(model))
optimizer = torch.optim.SGD(model.fc.parameters(), lr=1e-3, momentum=0.9)  # (10)!
for epoch in range(1, HEAD_EPOCHS + 1):
    loss = train_one_epoch(model, train_loader, loss_fn, optimizer)
    correct, total = evaluate(model, val_loader)
    print(f"head epoch {epoch}: train loss {loss:.3f}, val accuracy {correct}/{total}")
after_head = snapshot(model)
print("changed by head training:", changed_parts(initial, after_head))

model.layer4.requires_grad_(True)  # (11)!
print("layer4 + head:", count_trainable(model))
optimizer = torch.optim.SGD(  # (12)!
    [
        {"params": model.layer4.parameters(), "lr": 1e-4},
        {"params": model.fc.parameters(), "lr": 1e-3},
    ],
    momentum=0.9,
)
for epoch in range(1, FINETUNE_EPOCHS + 1):
    loss = train_one_epoch(model, train_loader, loss_fn, optimizer)
    correct, total = evaluate(model, val_loader)
    print(f"fine-tune epoch {epoch}: train loss {loss:.3f}, val accuracy {correct}/{total}")
print("changed by fine-tuning:", changed_parts(after_head, snapshot(model)))

torch.save(model.state_dict(), "resnet18_hymenoptera.pt")  # (13)!
