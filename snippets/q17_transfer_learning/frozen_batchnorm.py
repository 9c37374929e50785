import torch
from torch import nn
from torchvision.models import resnet18

torch.manual_seed(0)
model = resnet18()  # (1)!
model.requires_grad_(False)  # (2)!
print("trainable parameters:", sum(p.numel() for p in model.parameters() if p.requires_grad))

batch_norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
images = torch.randn(4, 3, 64, 64)


def forward_and_count_updates():
    before = [bn.running_mean.clone() for bn in batch_norms]
    with torch.no_grad():
        model(images)
    after = [bn.running_mean for bn in batch_norms]
    changed = sum(not torch.equal(b, a) for b, a in zip(before, after, strict=True))
    return f"{changed} of {len(batch_norms)} BatchNorm layers updated their running stats"


model.train()  # (3)!
print("train():", forward_and_count_updates())

model.eval()  # (4)!
print("eval(): ", forward_and_count_updates())
