import torch
import torch.nn.functional as F
from torchvision.ops import DeformConv2d

torch.manual_seed(0)
x = torch.randn(1, 3, 9, 11)
deform = DeformConv2d(3, 4, kernel_size=3, padding=1)  # (1)!
offset_net = torch.nn.Conv2d(3, 2 * 3 * 3, kernel_size=3, padding=1)  # (2)!

with torch.no_grad():
    offset = offset_net(x)
    y = deform(x, offset)  # (3)!
    print("input", tuple(x.shape), "offset", tuple(offset.shape), "output", tuple(y.shape))

    plain = F.conv2d(x, deform.weight, deform.bias, padding=1)
    assert torch.allclose(deform(x, torch.zeros_like(offset)), plain, atol=1e-6)  # (4)!
    print("zero offsets: DeformConv2d equals conv2d with the same weights")

    shift = torch.zeros(1, 9, 2, 9, 11)
    shift[:, :, 0] = 1.0  # (5)!
    y_shift = deform(x, shift.flatten(1, 2))
    assert torch.allclose(y_shift[..., :-1, :], plain[..., 1:, :], atol=1e-5)
    print("offset dy=1 at every tap: output equals conv2d one row further down")

    for size in [(9, 11), (20, 16)]:
        x = torch.randn(1, 3, *size)
        y = deform(x, offset_net(x))
        assert y.shape == F.conv2d(x, deform.weight, padding=1).shape  # (6)!
        print(f"input {size} -> output {tuple(y.shape[2:])}, same size rule as conv2d")
