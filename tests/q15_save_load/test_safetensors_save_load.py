import json
import struct

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file, load_model


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


def test_load_model_fills_a_model_that_ties_its_own_weights(snippet):
    ns = snippet.namespace
    restored = ns["restored"]
    assert restored.head.weight is restored.embed.weight
    assert torch.equal(restored.embed.weight, ns["model"].embed.weight)
    assert "missing: set() unexpected: []" in snippet.stdout


def test_load_model_does_not_tie_from_the_metadata(snippet):
    # load_model skips head.weight only when the model's own state_dict shares its memory
    # with embed.weight; the "head.weight": "embed.weight" metadata is never read.
    untied = snippet.namespace["TinyLM"](**snippet.namespace["config"])
    untied.head.weight = torch.nn.Parameter(untied.head.weight.detach().clone())
    path = snippet.workdir / "model.safetensors"
    with pytest.raises(RuntimeError, match='Missing key.*"head.weight"'):
        load_model(untied, path)
    assert load_model(untied, path, strict=False) == ({"head.weight"}, [])
    assert untied.head.weight is not untied.embed.weight


def test_file_is_a_header_length_a_json_header_and_raw_data(snippet):
    data = (snippet.workdir / "model.safetensors").read_bytes()
    header_length = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8 : 8 + header_length])
    assert set(header) == {"__metadata__", "embed.weight"}
    assert header["embed.weight"]["shape"] == [10, 4]
    start, end = header["embed.weight"]["data_offsets"]
    assert len(data) == 8 + header_length + end
    assert end - start == 10 * 4 * 4


def test_load_file_into_load_state_dict_misses_the_tied_name(snippet):
    fresh = snippet.namespace["TinyLM"](**snippet.namespace["config"])
    with pytest.raises(RuntimeError, match='Missing key.*"head.weight"'):
        fresh.load_state_dict(load_file(snippet.workdir / "model.safetensors"))


def test_runs_on_the_gpu_when_there_is_one(snippet):
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    for name in ("model", "restored"):
        assert snippet.namespace[name].embed.weight.device.type == expected


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    ns = snippet.namespace
    assert ns["model"].embed.weight.is_cuda
    assert ns["restored"].embed.weight.is_cuda  # load_model(device="cuda") loaded onto the GPU
