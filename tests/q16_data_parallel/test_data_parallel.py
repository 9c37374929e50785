import pytest
import torch


def test_data_parallel_is_a_pass_through_exactly_when_there_is_no_gpu(snippet):
    ns = snippet.namespace
    if torch.cuda.is_available():  # scattering: the test marked cuda below
        assert ns["dp_model"].device_ids == list(range(torch.cuda.device_count()))
        assert ns["dp_model"].module is ns["model"]
        return
    assert ns["dp_model"].device_ids == []
    assert ns["dp_model"].module is ns["model"]
    assert ns["model"].calls == [("cpu", 8, True)]
    assert torch.equal(ns["outputs"], ns["model"](ns["inputs"]))


@pytest.mark.cuda
def test_with_gpus_the_batch_is_scattered_and_gathered_on_device_0(snippet):
    ns = snippet.namespace
    gpus = torch.cuda.device_count()
    assert ns["dp_model"].device_ids == list(range(gpus))
    calls = sorted(ns["model"].calls)
    used = min(gpus, 8)
    assert [where for where, _, _ in calls] == [f"cuda:{i}" for i in range(used)]
    assert sum(rows for _, rows, _ in calls) == 8
    # one device: a plain call on the main thread; several: one worker thread per replica
    assert all(on_main is (used == 1) for _, _, on_main in calls)
    assert ns["outputs"].device == torch.device("cuda", 0)
    expected = ns["model"](ns["inputs"].cuda())
    torch.testing.assert_close(ns["outputs"], expected)


def test_state_dict_keys_gain_a_module_prefix(snippet):
    keys = list(snippet.namespace["dp_model"].state_dict())
    assert keys == ["module.linear.weight", "module.linear.bias"]
    assert f"state_dict keys: {keys}" in snippet.stdout
