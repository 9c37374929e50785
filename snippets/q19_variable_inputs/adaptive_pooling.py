import torch
from torch import nn

torch.manual_seed(0)
backbone = nn.Sequential(
    nn.Conv2d(3, 16, kernel_size=3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(16, 32, kernel_size=3, padding=1),
    nn.ReLU(),
)  # (1)!
model = nn.Sequential(
    backbone,
    nn.AdaptiveAvgPool2d((1, 1)),  # (2)!
    nn.Flatten(),
    nn.Linear(32, 10),
).eval()
fixed = nn.Sequential(backbone, nn.Flatten(), nn.Linear(32 * 16 * 16, 10)).eval()  # (3)!

with torch.no_grad():
    for size in [(32, 32), (48, 64), (97, 75)]:
        x = torch.randn(2, 3, *size)
        feature_map = backbone(x)
        feature = model[:3](x)
        logits = model(x)
        assert feature.shape == (2, 32)
        assert logits.shape == (2, 10)
        assert torch.allclose(feature, feature_map.mean(dim=(2, 3)), atol=1e-6)  # (4)!
        try:
            fixed_shape = tuple(fixed(x).shape)
        except RuntimeError as error:
            fixed_shape = "RuntimeError: " + str(error)
        print(
            f"input {size}: feature map {tuple(feature_map.shape[2:])}, "
            f"feature {tuple(feature.shape)}, logits {tuple(logits.shape)}; "
            f"without adaptive pooling: {fixed_shape}"
        )
