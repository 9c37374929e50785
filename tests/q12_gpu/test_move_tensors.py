import pytest
import torch


def test_to_returns_a_copy_and_leaves_the_original(snippet):
    ns = snippet.namespace
    assert ns["x"].device.type == "cpu"
    assert ns["x_dev"].device == ns["device"] or ns["x_dev"].device.type == ns["device"].type
    assert ns["z"].device.type == ns["device"].type
    # .to() returns the tensor itself when it is already there, a new one otherwise
    assert (ns["x_dev"] is ns["x"]) == (ns["device"].type == "cpu")
    assert f"same object: {ns['device'].type == 'cpu'}" in snippet.stdout


def test_results_come_back_as_cpu_values(snippet):
    ns = snippet.namespace
    assert ns["back"].device.type == "cpu"
    assert ns["back"].tolist() == [1.0, 2.0, 3.0]
    assert "a Python number: 6.0" in snippet.stdout


def test_module_to_moves_in_place(snippet):
    ns = snippet.namespace
    assert ns["returned"] is ns["model"]
    assert all(p.device.type == ns["device"].type for p in ns["model"].parameters())


def test_cuda_calls_need_cuda_but_to_device_runs_anywhere(snippet):
    device = snippet.namespace["device"]
    x = torch.tensor([1, 2, 3])
    assert x.to(device).device.type == device.type
    if torch.cuda.is_available():
        assert x.cuda().device.type == "cuda"
        assert x.to("cuda").device.type == "cuda"
    else:
        # RuntimeError from a CUDA build without a driver or a GPU, AssertionError from a CPU build
        for move in (x.cuda, lambda: x.to("cuda")):
            with pytest.raises((RuntimeError, AssertionError)):
                move()


def test_module_moves_keep_the_parameter_objects_except_to_meta(snippet):
    device = snippet.namespace["device"]
    assert not torch.__future__.get_overwrite_module_params_on_conversion()
    model = torch.nn.Linear(3, 1)
    optimizer = torch.optim.Adam(model.parameters())
    model(torch.ones(1, 3)).sum().backward()
    optimizer.step()
    weight = model.weight
    model.to(device).double()  # Module._apply swaps the data and keeps the Parameter
    assert model.weight is weight
    assert weight.device.type == device.type
    assert weight.dtype == torch.float64
    state = optimizer.state[weight]["exp_avg"]  # the optimizer's state did not follow
    assert state.device.type == "cpu"
    assert state.dtype == torch.float32
    model.to("meta")  # a new Parameter, which the optimizer does not hold
    assert model.weight is not weight
    assert model.weight.is_meta
    assert all(p is not model.weight for p in optimizer.param_groups[0]["params"])


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    ns = snippet.namespace
    assert ns["x_dev"].is_cuda
    assert ns["x_dev"] is not ns["x"]
    assert ns["z"].is_cuda
    assert next(ns["model"].parameters()).is_cuda
    assert "same object: False" in snippet.stdout
