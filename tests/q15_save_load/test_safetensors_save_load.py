import json

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file


def test_file_stores_the_tied_weight_once_with_the_config(snippet):
    ns = snippet.namespace
    path = snippet.workdir / "model.safetensors"
    tensors = load_file(path)
    assert list(tensors) == ["embed.weight"]
    assert torch.equal(tensors["embed.weight"], ns["model"].embed.weight.detach().cpu())
    with safe_open(path, framework="pt") as f:
        metadata = f.metadata()
    assert json.loads(metadata["config"]) == ns["config"]
    assert metadata["head.weight"] == "embed.weight"


def test_save_file_refuses_shared_tensors(snippet):
    assert snippet.stdout.startswith("save_file: Some tensors share memory")


def test_load_model_restores_and_reties(snippet):
    ns = snippet.namespace
    restored = ns["restored"]
    assert restored.head.weight is restored.embed.weight
    assert torch.equal(restored.embed.weight, ns["model"].embed.weight)
    assert "missing: set() unexpected: []" in snippet.stdout


def test_load_file_into_load_state_dict_misses_the_tied_name(snippet):
    fresh = snippet.namespace["TinyLM"](**snippet.namespace["config"])
    with pytest.raises(RuntimeError, match='Missing key.*"head.weight"'):
        fresh.load_state_dict(load_file(snippet.workdir / "model.safetensors"))


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    ns = snippet.namespace
    assert ns["model"].embed.weight.is_cuda
    assert ns["restored"].embed.weight.is_cuda  # load_model(device="cuda") loaded onto the GPU
