import inspect

import torch
import torch.nn.functional as F


def test_zero_offsets_give_an_ordinary_convolution(snippet):
    deform = snippet.namespace["deform"]
    x = torch.randn(2, 3, 12, 5)
    offset = torch.zeros(2, 18, 12, 5)
    with torch.no_grad():
        expected = F.conv2d(x, deform.weight, deform.bias, padding=1)
        assert torch.allclose(deform(x, offset), expected, atol=1e-6)
        assert not torch.allclose(deform(x, offset + 0.5), expected, atol=1e-3)


def test_offsets_hold_a_dy_dx_pair_per_kernel_tap_and_position(snippet):
    ns = snippet.namespace
    deform = ns["deform"]
    assert ns["offset"].shape == (1, 2 * 3 * 3, 9, 11)
    x = torch.randn(1, 3, 8, 10)
    dx = torch.zeros(1, 9, 2, 8, 10)
    dx[:, :, 1] = 1.0
    with torch.no_grad():
        plain = F.conv2d(x, deform.weight, deform.bias, padding=1)
        shifted = deform(x, dx.flatten(1, 2))
    assert torch.allclose(shifted[..., :-1], plain[..., 1:], atol=1e-5)
    assert "zero offsets: DeformConv2d equals conv2d" in snippet.stdout
    assert "one row further down" in snippet.stdout


def test_output_size_follows_the_input_like_conv2d(snippet):
    lines = [line for line in snippet.stdout.splitlines() if line.startswith("input (")]
    assert lines[-2:] == [
        "input (9, 11) -> output (9, 11), same size rule as conv2d",
        "input (20, 16) -> output (20, 16), same size rule as conv2d",
    ]


def test_constructor_has_the_conv2d_arguments_up_to_bias(snippet):
    deform = inspect.signature(type(snippet.namespace["deform"])).parameters
    conv = inspect.signature(torch.nn.Conv2d).parameters
    assert list(deform) == list(conv)[: list(conv).index("bias") + 1]
    assert {"padding_mode", "device", "dtype"} <= set(conv) - set(deform)
