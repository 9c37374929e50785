import re

import pytest
import torch


def test_times_one_training_step_per_batch_size(snippet):
    rows = re.findall(
        r"^batch size +(\d+): (\d+\.\d) us per step, (\d+\.\d\d) us per sample$",
        snippet.stdout,
        re.M,
    )
    assert [int(size) for size, _, _ in rows] == [1, 16, 256]
    per_sample = snippet.namespace["per_sample"]
    assert sorted(per_sample) == [1, 16, 256]
    for size, step_us, sample_us in rows:
        assert float(sample_us) == pytest.approx(float(step_us) / int(size), abs=0.051)
        assert per_sample[int(size)] * 1e6 == pytest.approx(float(sample_us), abs=0.01)


def test_the_printed_conclusion_follows_from_the_measurements(snippet):
    per_sample = snippet.namespace["per_sample"]
    verdict = per_sample[1] > 10 * per_sample[256]
    assert snippet.stdout.splitlines()[-1].endswith(f"per sample than batch 1: {verdict}")
    # The page says the time per sample falls below a tenth (typically below a hundredth).
    assert verdict


def test_the_steps_really_trained_the_model(snippet):
    ns = snippet.namespace
    assert all(p.device.type == ns["device"].type for p in ns["model"].parameters())
    torch.manual_seed(0)
    fresh = torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.ReLU(), torch.nn.Linear(64, 1))
    assert not torch.equal(fresh[0].weight, ns["model"][0].weight.cpu())


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    ns = snippet.namespace
    assert ns["inputs"].is_cuda
    assert ns["targets"].is_cuda
    assert all(p.is_cuda for p in ns["model"].parameters())
