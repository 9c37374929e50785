import zipfile

import pytest
import torch


def test_file_holds_parameters_and_buffers(snippet):
    saved = torch.load(snippet.workdir / "model.pt", map_location="cpu")
    model = snippet.namespace["model"]
    assert list(saved) == list(model.state_dict())
    assert {"1.running_mean", "1.running_var", "1.num_batches_tracked"} <= set(saved)
    assert set(saved) - {name for name, _ in model.named_parameters()} == {
        "1.running_mean",
        "1.running_var",
        "1.num_batches_tracked",
    }
    for name, tensor in model.state_dict().items():
        assert torch.equal(saved[name], tensor.cpu()), name
    assert saved["1.num_batches_tracked"].item() == 1
    assert not torch.equal(saved["1.running_mean"], torch.zeros(8))


def test_printed_keys_are_the_saved_keys(snippet):
    saved = torch.load(snippet.workdir / "model.pt", map_location="cpu")
    printed = [line.split()[0] for line in snippet.stdout.splitlines()[: len(saved)]]
    assert printed == list(saved)


def test_loaded_model_is_a_copy(snippet):
    ns = snippet.namespace
    assert "<All keys matched successfully>" in snippet.stdout
    assert snippet.stdout.rstrip().endswith("same outputs: True")
    for name, tensor in ns["model"].state_dict().items():
        assert torch.equal(ns["new_model"].state_dict()[name], tensor), name
    inputs = torch.randn(7, 4, device=ns["device"])
    with torch.no_grad():
        assert torch.equal(ns["model"](inputs), ns["new_model"](inputs))


def test_runs_on_the_gpu_when_there_is_one(snippet):
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    for name in ("model", "new_model"):
        assert {p.device.type for p in snippet.namespace[name].parameters()} == {expected}


def test_the_file_is_an_uncompressed_zip(snippet):
    with zipfile.ZipFile(snippet.workdir / "model.pt") as archive:
        records = archive.infolist()
    assert any(r.filename.endswith("/data.pkl") for r in records)
    assert {r.compress_type for r in records} == {zipfile.ZIP_STORED}


def test_mmap_and_assign_load_into_a_meta_model(snippet):
    # The tip on large checkpoints: mmap=True maps the file, a model built on the meta
    # device has no memory of its own, and assign=True makes the loaded tensors its parameters.
    ns = snippet.namespace
    state_dict = torch.load(snippet.workdir / "model.pt", mmap=True, map_location="cpu")
    with torch.device("meta"):
        model = ns["make_model"]()
    assert next(model.parameters()).is_meta
    model.load_state_dict(state_dict, assign=True)
    assert model[0].weight.data_ptr() == state_dict["0.weight"].data_ptr()
    assert isinstance(model[0].weight, torch.nn.Parameter)
    assert model[0].weight.requires_grad
    for name, tensor in ns["model"].state_dict().items():
        assert torch.equal(model.state_dict()[name], tensor.cpu()), name
    model.eval()
    inputs = torch.randn(3, 4)
    with torch.no_grad():
        expected = ns["new_model"](inputs.to(ns["device"])).cpu()
        torch.testing.assert_close(model(inputs), expected)


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    ns = snippet.namespace
    assert all(t.is_cuda for t in ns["state_dict"].values())
    assert all(t.is_cuda for t in ns["new_model"].state_dict().values())
    saved = torch.load(snippet.workdir / "model.pt")  # saved from the GPU, loaded back onto it
    assert all(t.is_cuda for t in saved.values())
