import pytest
import torch


@pytest.mark.parametrize("size", [(32, 32), (40, 28), (71, 129)])
def test_model_accepts_any_image_size(snippet, size):
    with torch.no_grad():
        logits = snippet.namespace["model"](torch.randn(3, 3, *size))
    assert logits.shape == (3, 10)


def test_flatten_without_pooling_only_fits_its_training_size(snippet):
    fixed = snippet.namespace["fixed"]
    with torch.no_grad():
        assert fixed(torch.randn(1, 3, 32, 32)).shape == (1, 10)
        with pytest.raises(RuntimeError, match="cannot be multiplied"):
            fixed(torch.randn(1, 3, 48, 64))
    lines = snippet.stdout.splitlines()
    assert len(lines) == 3
    assert [("RuntimeError" in line) for line in lines] == [False, True, True]


def test_adaptive_average_pooling_is_the_spatial_mean(snippet):
    pool = snippet.namespace["model"][1]
    assert isinstance(pool, torch.nn.AdaptiveAvgPool2d)
    feature_map = torch.randn(2, 32, 13, 7)
    assert torch.allclose(pool(feature_map)[..., 0, 0], feature_map.mean(dim=(2, 3)), atol=1e-6)
