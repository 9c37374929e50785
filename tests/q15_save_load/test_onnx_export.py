import inspect
import warnings

import numpy as np
import onnx
import onnx_ir
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
    assert snippet.stdout.splitlines() == [
        "features: ['batch', 4]",
        "logits: ['batch', 3]",
        "onnxruntime matches PyTorch on a batch of 5",
    ]


def test_dynamic_axes_warns_and_small_weights_stay_in_the_onnx_file(snippet, tmp_path):
    # The warning box: dynamic_axes still exports, with a UserWarning and a DeprecationWarning
    # raised inside torch (which the default filters hide, as they show DeprecationWarnings
    # only when triggered by __main__). Annotation 4: with the default external_data=True the
    # .data file is empty, since onnx_ir keeps tensors under its size threshold in the model.
    path = tmp_path / "axes.onnx"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.onnx.export(
            snippet.namespace["model"],
            (torch.randn(2, 4),),
            path,
            input_names=["features"],
            dynamic_axes={"features": {0: "batch"}},
            verbose=False,
        )
    user = [w for w in caught if w.category is UserWarning and "dynamic_shapes" in str(w.message)]
    assert user
    deprecation = [
        w for w in caught if w.category is DeprecationWarning and "dynamic_axes" in str(w.message)
    ]
    assert deprecation
    assert all("/torch/" in w.filename for w in deprecation)
    assert (tmp_path / "axes.onnx.data").stat().st_size == 0
    threshold = inspect.signature(onnx_ir.save).parameters["size_threshold_bytes"].default
    model = onnx.load(path)
    assert 0 < max(len(t.raw_data) for t in model.graph.initializer) < threshold
