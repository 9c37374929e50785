import re

import pytest
import torch


def test_times_the_three_implementations(snippet):
    rows = re.findall(r"^Adam, (\S+) *: \d+\.\d\d ms per step$", snippet.stdout, re.M)
    assert rows == ["for-loop", "foreach", "fused"]
    optimizers = snippet.namespace["optimizers"]
    assert [o.defaults["foreach"] for o in optimizers.values()] == [False, True, None]
    assert [o.defaults["fused"] for o in optimizers.values()] == [None, None, True]


def test_fused_is_fastest_and_foreach_beats_the_loop(snippet):
    # The page says: fused several times faster than the for-loop (typically 3.5-4.5x),
    # foreach in between (typically 1.4-1.5x faster than the for-loop).
    best = snippet.namespace["best"]
    assert best["for-loop"] > 2 * best["fused"]
    assert best["foreach"] > 1.5 * best["fused"]
    assert best["for-loop"] > 1.15 * best["foreach"]


def test_adam_keeps_two_tensors_per_parameter(snippet):
    ns = snippet.namespace
    assert "state per parameter: step, exp_avg, exp_avg_sq" in snippet.stdout
    assert snippet.stdout.splitlines()[-1] == "Adam state: 2.0x the parameter memory"
    for param, state in ns["optimizers"]["fused"].state.items():
        assert state["exp_avg"].shape == state["exp_avg_sq"].shape == param.shape
        assert state["exp_avg"].device == param.device
    if torch.cuda.is_available():
        assert all(p.is_cuda for p in ns["model"].parameters())
        assert torch.cuda.max_memory_allocated() > 0


def test_the_default_on_cpu_is_the_for_loop():
    # With neither flag set, Adam picks foreach only when the parameters are on CUDA (or a similar
    # accelerator) and never picks fused; on the CPU it runs the for-loop.
    param = torch.zeros(4, requires_grad=True)
    param.grad = torch.ones(4)
    optimizer = torch.optim.Adam([param])
    with torch.profiler.profile() as prof:
        optimizer.step()
    names = {event.key for event in prof.key_averages()}
    assert not [n for n in names if n.startswith(("aten::_foreach", "aten::_fused"))]
    assert "aten::addcmul_" in names


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    ns = snippet.namespace
    assert all(p.is_cuda for p in ns["model"].parameters())
    for optimizer in ns["optimizers"].values():
        for state in optimizer.state.values():
            assert state["exp_avg"].is_cuda
