import re

import pytest


def test_training_reduces_the_loss(snippet):
    losses = [float(v) for v in re.findall(r"mean loss (\d+\.\d+)", snippet.stdout)]
    assert len(losses) == 3
    assert losses[0] > losses[1] > losses[2]


def test_model_lives_on_the_device_and_predictions_on_the_cpu(snippet):
    ns = snippet.namespace
    assert all(p.device.type == ns["device"].type for p in ns["model"].parameters())
    assert ns["predictions"].device.type == "cpu"
    accuracy = (ns["predictions"] == ns["labels"]).float().mean().item()
    assert accuracy > 0.8
    assert f"accuracy on the training data: {accuracy}" in snippet.stdout


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    ns = snippet.namespace
    assert ns["device"].type == "cuda"
    assert all(p.is_cuda for p in ns["model"].parameters())
    assert ns["loader"].pin_memory
    assert ns["inputs"].is_cuda
    assert ns["outputs"].is_cuda
