import h5py
import pytest
import torch

BUFFERS = ["1.num_batches_tracked", "1.running_mean", "1.running_var"]


def test_hdf5_file_holds_the_whole_state_dict(snippet):
    state = snippet.namespace["model"].state_dict()
    with h5py.File(snippet.workdir / "model.h5", "r") as f:
        assert sorted(f) == sorted(state)
        for name, tensor in state.items():
            assert torch.equal(torch.from_numpy(f[name][...]), tensor.cpu()), name
    assert state["1.num_batches_tracked"].item() == 1
    assert not torch.equal(state["1.running_var"].cpu(), torch.ones(8))


def test_state_dict_round_trip_restores_everything(snippet):
    ns = snippet.namespace
    restored = ns["restored"].state_dict()
    for name, tensor in ns["model"].state_dict().items():
        assert torch.equal(restored[name], tensor), name
    assert "state_dict round trip, same outputs: True" in snippet.stdout


def test_parameters_only_file_loses_the_running_statistics(snippet):
    ns = snippet.namespace
    with h5py.File(snippet.workdir / "params_only.h5", "r") as f:
        assert sorted(f) == sorted(name for name, _ in ns["model"].named_parameters())
    assert ns["missing"] == BUFFERS
    bn = ns["params_only"][1]
    assert torch.equal(bn.running_mean.cpu(), torch.zeros(8))
    assert torch.equal(bn.weight, ns["model"][1].weight)
    assert "parameters only, same outputs: False" in snippet.stdout


def test_runs_on_the_gpu_when_there_is_one(snippet):
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    for name in ("model", "restored", "params_only"):
        assert {p.device.type for p in snippet.namespace[name].parameters()} == {expected}


def test_the_originals_save_loop_fails_without_detach(snippet):
    model = snippet.namespace["model"]
    name, param = next(iter(model.named_parameters()))
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        param.cpu().numpy()
    assert param.detach().cpu().numpy().shape == tuple(param.shape)


def test_assigning_param_data_checks_neither_shape_nor_dtype(snippet):
    # The errata: the original's `param.data = torch.from_numpy(...)` accepts anything dense.
    layer = snippet.namespace["make_model"]()[0]
    layer.weight.data = torch.zeros(3, 5, dtype=torch.float64)
    assert layer.weight.shape == (3, 5)
    assert layer.weight.dtype == torch.float64
    assert isinstance(layer.weight, torch.nn.Parameter)


def test_copy_broadcasts_and_fails_only_when_it_cannot(snippet):
    layer = snippet.namespace["make_model"]()[0]  # weight of shape (8, 4)
    with torch.no_grad():
        layer.weight.copy_(torch.arange(4.0))  # broadcast to every row
        assert torch.equal(layer.weight.cpu(), torch.arange(4.0).expand(8, 4))
        with pytest.raises(RuntimeError, match="must match the size"):
            layer.weight.copy_(torch.arange(3.0))


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    ns = snippet.namespace
    for name in ("model", "restored", "params_only"):
        assert all(t.is_cuda for t in ns[name].state_dict().values()), name
    assert ns["inputs"].is_cuda
