import pytest


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


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    ns = snippet.namespace
    assert ns["x_dev"].is_cuda
    assert ns["x_dev"] is not ns["x"]
    assert ns["z"].is_cuda
    assert next(ns["model"].parameters()).is_cuda
    assert "same object: False" in snippet.stdout
