import torch


def test_resize_with_one_int_keeps_the_aspect_ratio(snippet):
    ns = snippet.namespace
    for (h, w), image in zip(ns["sizes"], ns["images"], strict=True):
        _, new_h, new_w = ns["shorter_side"](image).shape
        assert min(new_h, new_w) == 32
        assert abs(new_h / new_w - h / w) < 0.05


def test_crop_makes_one_batch_of_floats_in_unit_range(snippet):
    batch = snippet.namespace["batch"]
    assert batch.shape == (3, 3, 32, 32)
    assert batch.dtype == torch.float32
    assert 0.0 <= batch.min() <= batch.max() <= 1.0
