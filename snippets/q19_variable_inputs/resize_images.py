import torch
from torch.utils.data import DataLoader
from torchvision.transforms import v2

torch.manual_seed(0)
sizes = [(30, 40), (64, 48), (17, 25)]
images = [torch.randint(0, 256, (3, h, w), dtype=torch.uint8) for h, w in sizes]  # (1)!

shorter_side = v2.Resize(32)  # (2)!
print("Resize(32):", [tuple(shorter_side(img).shape[1:]) for img in images])

transform = v2.Compose(
    [
        v2.Resize(32),
        v2.CenterCrop(32),  # (3)!
        v2.ToDtype(torch.float32, scale=True),
    ]
)
loader = DataLoader([transform(img) for img in images], batch_size=3)  # (4)!
batch = next(iter(loader))
print("batch:", tuple(batch.shape), batch.dtype)
