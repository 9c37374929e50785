import re

import pytest
import torch


def test_compiled_matches_eager(snippet):
    assert "same result as eager: True" in snippet.stdout
    compiled, eager, x = (snippet.namespace[k] for k in ("compiled", "gelu_tanh", "x"))
    other = torch.randn_like(x)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as in the snippet, so the guards pass and nothing recompiles
    try:
        torch.testing.assert_close(compiled(other), eager(other), atol=1e-5, rtol=1e-5)
    finally:
        torch.set_num_threads(threads)
    torch.testing.assert_close(
        eager(other), torch.nn.functional.gelu(other, approximate="tanh"), atol=1e-6, rtol=1e-5
    )


def test_prints_compile_time_and_both_medians(snippet):
    out = snippet.stdout
    assert re.search(r"^first call, including compilation: \d+\.\d s$", out, re.M)
    names = re.findall(r"^(eager|compiled): median \d+\.\d{3} ms$", out, re.M)
    assert names == ["eager", "compiled"]


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    ns = snippet.namespace
    assert ns["device"].type == "cuda"
    assert ns["x"].is_cuda
    assert ns["y"].is_cuda  # the compiled function ran on the GPU
    assert re.search(r"^eager: median .*\n^compiled: median", snippet.stdout, re.M)
