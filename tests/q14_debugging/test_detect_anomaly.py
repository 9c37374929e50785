import importlib
import math
import warnings

import pytest
import torch


def test_nan_gradient_hides_behind_a_finite_loss(snippet):
    lines = snippet.stdout.splitlines()
    assert lines[0] == "loss: 3.0"
    assert lines[1].startswith("grad: tensor([0.2500, 0.5000,")
    assert lines[1].endswith("nan])")


def test_anomaly_mode_names_the_forward_op(snippet):
    error = [line for line in snippet.stdout.splitlines() if line.startswith("RuntimeError:")]
    assert error == [
        "RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output."
    ]
    assert not torch.is_anomaly_enabled()  # the context manager switched it off again


def test_anomaly_mode_points_at_the_forward_line(snippet):
    masked_sqrt = snippet.namespace["masked_sqrt"]
    x = torch.tensor([1.0, -1.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as record, torch.autograd.detect_anomaly():
        warnings.simplefilter("always")
        with pytest.raises(RuntimeError, match="SqrtBackward0"):
            masked_sqrt(x).sum().backward()
    messages = [str(w.message) for w in record if w.category is UserWarning]
    traceback = [m for m in messages if "Traceback of forward call" in m]
    assert len(traceback) == 1
    assert "Error detected in SqrtBackward0" in traceback[0]
    assert "torch.where(x > 0, torch.sqrt(x), 0.0)" in traceback[0]


def test_the_fix_gives_finite_gradients_that_gradcheck_accepts(snippet):
    ns = snippet.namespace
    assert ns["x"].grad.tolist() == [0.25, 0.5, 0.0]
    assert all(math.isfinite(g) for g in ns["x"].grad.tolist())
    assert "gradcheck: True" in snippet.stdout
    # gradcheck fails for the original: its numerical and analytical gradients differ at -1
    x64 = torch.tensor([4.0, 1.0, -1.0], dtype=torch.float64, requires_grad=True)
    assert not torch.autograd.gradcheck(ns["masked_sqrt"], (x64,), raise_exception=False)


def test_torch_utils_bottleneck_is_gone():
    # The errata say: PyTorch 2.14.1 no longer has torch.utils.bottleneck.
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("torch.utils.bottleneck")
