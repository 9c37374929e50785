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


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    ns = snippet.namespace
    assert all(t.is_cuda for t in ns["state_dict"].values())
    assert all(t.is_cuda for t in ns["new_model"].state_dict().values())
    saved = torch.load(snippet.workdir / "model.pt")  # saved from the GPU, loaded back onto it
    assert all(t.is_cuda for t in saved.values())
