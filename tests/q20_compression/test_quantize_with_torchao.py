import copy
import re

import pytest
import torch
from torch import nn


def _rows(stdout):
    pattern = r"^(\w+):\s+([\d,]+) bytes(?: \((\d+)%\), error (\d+\.\d)%, conv (\w+))?$"
    return {
        name: (int(size.replace(",", "")), error and float(error), conv)
        for name, size, _, error, conv in re.findall(pattern, stdout, re.M)
    }


def test_int8_configs_quantize_only_the_linear_layers(snippet):
    for name in ("int8_weight_only", "int8_dynamic"):
        model = snippet.namespace["quantized"][name]
        assert type(model[0].weight) is torch.nn.Parameter
        assert model[0].weight.dtype == torch.float32
        for i in (4, 6, 8):
            weight = model[i].weight
            assert type(weight).__name__ == "Int8Tensor"
            assert weight.qdata.dtype == torch.int8
            assert weight.qdata.shape == weight.shape


def test_int4_takes_the_conv_too_but_keeps_one_value_per_byte(snippet):
    model = snippet.namespace["quantized"]["int4_weight_only"]
    for i in (0, 4, 6, 8):
        weight = model[i].weight
        assert type(weight).__name__ == "IntxUnpackedToInt8Tensor"
        assert weight.qdata.dtype == torch.int8  # 4-bit values, one per byte
        assert weight.qdata.shape == weight.shape
        assert weight.qdata.min() >= -8
        assert weight.qdata.max() <= 7
    rows = _rows(snippet.stdout)
    assert rows["int4_weight_only"][2] == "IntxUnpackedToInt8Tensor"
    assert rows["int8_weight_only"][2] == rows["int8_dynamic"][2] == "Parameter"


def test_files_are_a_quarter_of_fp32_and_match_the_printout(snippet):
    saved = [snippet.workdir / name for name in snippet.written if name.endswith(".pt")]
    sizes = {p.stem: p.stat().st_size for p in saved}
    rows = _rows(snippet.stdout)
    assert {name: row[0] for name, row in rows.items()} == sizes
    assert list(rows) == ["fp32", "int8_weight_only", "int8_dynamic", "int4_weight_only"]
    for name in ("int8_weight_only", "int8_dynamic", "int4_weight_only"):
        assert sizes[name] < 0.3 * sizes["fp32"]
    # int4 stored one value per byte: no smaller than int8 ("saves nothing more")
    assert sizes["int4_weight_only"] > 0.99 * sizes["int8_weight_only"]


def test_errors_int8_small_int4_larger(snippet):
    ns = snippet.namespace
    rows = _rows(snippet.stdout)
    for name, model in ns["quantized"].items():
        with torch.inference_mode():
            output = model(ns["x"])
        reference = ns["reference"]
        error = ((output - reference).abs().max() / reference.abs().max()).item()
        assert round(error * 100, 1) == rows[name][1]
        assert not torch.equal(output, reference)  # it really computes something different
    assert rows["int8_weight_only"][1] < 2
    assert rows["int8_dynamic"][1] < 5  # 1.9% recorded; 4.1% with reduce_range (no VNNI)
    assert rows["int4_weight_only"][1] > 3 * rows["int8_dynamic"][1]


def test_saved_int8_checkpoint_loads_with_weights_only(snippet):
    ns = snippet.namespace
    state = torch.load(snippet.workdir / "int8_dynamic.pt")  # weights_only=True by default
    restored = copy.deepcopy(ns["model"])
    restored.load_state_dict(state, assign=True)
    with torch.inference_mode():
        assert torch.equal(restored(ns["x"]), ns["quantized"]["int8_dynamic"](ns["x"]))


def test_an_int8_tensor_conv_fails_at_the_first_forward(snippet):
    from torchao.quantization import Int8WeightOnlyConfig, quantize_

    conv = nn.Sequential(nn.Conv2d(3, 4, 3))
    quantize_(conv, Int8WeightOnlyConfig(), filter_fn=lambda m, fqn: isinstance(m, nn.Conv2d))
    with pytest.raises(NotImplementedError, match="aten.convolution"):
        conv(torch.randn(1, 3, 8, 8))


def test_int8_weight_only_converts_the_weights_to_float_on_every_call(snippet):
    """The page: in eager mode, int8 weight-only turns the weights back into float each call."""
    int8_layer = snippet.namespace["quantized"]["int8_weight_only"][4]
    fp32_layer = snippet.namespace["model"][4]
    x = torch.randn(2, 1024)
    for layer, expected in ((int8_layer, 3), (fp32_layer, 0)):
        with torch.inference_mode(), torch.profiler.profile() as prof:
            for _ in range(3):
                layer(x)
        casts = [e for e in prof.events() if e.name == "aten::_to_copy"]
        assert len(casts) == expected, [e.name for e in prof.events()]
