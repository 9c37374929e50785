import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
config = {"in_features": 8, "hidden": 32, "dropout": 0.1, "lr": 0.01, "epochs": 6}

torch.manual_seed(0)
features = torch.randn(256, 8)
targets = features @ torch.randn(8, 1) + 0.1 * torch.randn(256, 1)
dataset = TensorDataset(features, targets)


def build(config, seed):  # (1)!
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(config["in_features"], config["hidden"]),
        nn.ReLU(),
        nn.Dropout(config["dropout"]),
        nn.Linear(config["hidden"], 1),
    ).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config["lr"])
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    generator = torch.Generator().manual_seed(seed)
    loader = DataLoader(dataset, batch_size=32, shuffle=True, generator=generator)  # (2)!
    return model, optimizer, scheduler, loader, generator


def train(model, optimizer, scheduler, loader, start, stop):
    model.train()
    for epoch in range(start, stop):
        lr, total = optimizer.param_groups[0]["lr"], 0.0
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            loss = nn.functional.mse_loss(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(x)
        scheduler.step()
        print(f"  epoch {epoch}  lr {lr}  loss {total / len(dataset):.4f}")


def save_checkpoint(path, epoch, model, optimizer, scheduler, generator):
    torch.save(
        {
            "epoch": epoch,  # (3)!
            "config": config,
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),  # (4)!
            "scheduler": scheduler.state_dict(),
            "rng": {
                "torch": torch.get_rng_state(),  # (5)!
                "cuda": torch.cuda.get_rng_state_all() if device.type == "cuda" else [],
                "loader": generator.get_state(),
            },
        },
        path,
    )


def resume(path):
    checkpoint = torch.load(path, map_location="cpu")  # (6)!
    model, optimizer, scheduler, loader, generator = build(checkpoint["config"], seed=123)  # (7)!
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    torch.set_rng_state(checkpoint["rng"]["torch"])
    if checkpoint["rng"]["cuda"]:
        torch.cuda.set_rng_state_all(checkpoint["rng"]["cuda"])
    generator.set_state(checkpoint["rng"]["loader"])
    return checkpoint["epoch"], model, optimizer, scheduler, loader


epochs, interrupt_at = config["epochs"], 3

print(f"straight run, {epochs} epochs:")
straight, optimizer, scheduler, loader, _ = build(config, seed=0)
train(straight, optimizer, scheduler, loader, start=0, stop=epochs)

print(f"interrupted run, checkpoint after {interrupt_at} epochs:")
model, optimizer, scheduler, loader, generator = build(config, seed=0)
train(model, optimizer, scheduler, loader, start=0, stop=interrupt_at)
save_checkpoint("checkpoint.pt", interrupt_at, model, optimizer, scheduler, generator)
del model, optimizer, scheduler, loader, generator

start, resumed, optimizer, scheduler, loader = resume("checkpoint.pt")  # (8)!
print(f"resumed at epoch {start}:")
train(resumed, optimizer, scheduler, loader, start=start, stop=epochs)

pairs = zip(straight.parameters(), resumed.parameters(), strict=True)
same = all(torch.equal(a, b) for a, b in pairs)
print("resumed model equals the straight run exactly:", same)
