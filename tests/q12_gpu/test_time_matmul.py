import re

import pytest
import torch


def test_reports_a_median_per_device(snippet):
    devices = re.findall(r"^(\w+): 1024x1024 matmul, median \d+\.\d+ ms$", snippet.stdout, re.M)
    assert devices == ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    assert snippet.namespace["measurement"].median > 0


@pytest.mark.cuda
def test_memory_statistics_on_cuda(snippet):
    out = snippet.stdout
    assert snippet.namespace["a"].is_cuda  # the last matmul timed ran on the GPU
    assert "1 GiB tensor: allocated +1024 MiB" in out
    assert "after del: allocated +0 MiB" in out
    reserved_after_del = int(re.search(r"after del: .* reserved (\d+) MiB", out).group(1))
    reserved_after_empty = int(re.search(r"after empty_cache: reserved (\d+) MiB", out).group(1))
    assert reserved_after_del >= 1024 > reserved_after_empty
