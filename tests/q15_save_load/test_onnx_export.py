import re

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch


def test_exported_graph_has_named_io_and_a_dynamic_batch(snippet):
    model = onnx.load(snippet.workdir / "classifier.onnx")
    (graph_input,) = model.graph.input
    (graph_output,) = model.graph.output
    assert graph_input.name == "features"
    assert graph_output.name == "logits"
    dims = graph_input.type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch"
    assert dims[1].dim_value == 4
    assert [p.name for p in snippet.workdir.glob("classifier.onnx*")] == ["classifier.onnx"]


@pytest.mark.parametrize("batch", [1, 7])
def test_onnxruntime_agrees_with_pytorch(snippet, batch):
    session = ort.InferenceSession(
        snippet.workdir / "classifier.onnx", providers=["CPUExecutionProvider"]
    )
    inputs = torch.randn(batch, 4)
    (logits,) = session.run(None, {"features": inputs.numpy()})
    with torch.no_grad():
        expected = snippet.namespace["model"](inputs).numpy()
    np.testing.assert_allclose(logits, expected, rtol=1e-5, atol=1e-6)


def test_batchnorm_is_folded_into_the_first_linear_layer(snippet):
    model = onnx.load(snippet.workdir / "classifier.onnx")
    assert [node.op_type for node in model.graph.node] == ["Gemm", "Relu", "Gemm"]


def test_export_prints_no_progress_messages(snippet):
    lines = snippet.stdout.splitlines()
    assert re.fullmatch(r"export took \d+\.\d s", lines[0])
    assert lines[1:] == [
        "features: ['batch', 4]",
        "logits: ['batch', 3]",
        "onnxruntime matches PyTorch on a batch of 5",
    ]
