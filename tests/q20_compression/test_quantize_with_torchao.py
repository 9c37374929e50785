import copy
import re

import torch


def test_only_linear_layers_are_quantized(snippet):
    quantized = snippet.namespace["quantized"]
    conv_weight = quantized[0].weight
    assert type(conv_weight) is torch.nn.Parameter
    assert conv_weight.dtype == torch.float32
    for i in (4, 6, 8):
        weight = quantized[i].weight
        assert type(weight).__name__ == "Int8Tensor"
        assert weight.qdata.dtype == torch.int8
        assert weight.qdata.shape == weight.shape


def test_outputs_stay_close_to_fp32(snippet):
    ns = snippet.namespace
    with torch.inference_mode():
        output = ns["quantized"](ns["x"])
    reference = ns["reference"]
    assert (output - reference).abs().max() < 0.05 * reference.abs().max()
    assert not torch.equal(output, reference)  # it really computes something different


def test_files_are_a_quarter_of_fp32_and_match_the_printout(snippet):
    sizes = {p.stem: p.stat().st_size for p in snippet.workdir.glob("*.pt")}
    printed = re.findall(r"^(\w+):\s+([\d,]+) bytes", snippet.stdout, re.M)
    assert {name: int(size.replace(",", "")) for name, size in printed} == sizes
    assert set(sizes) == {"fp32", "int8_weight_only", "int8_dynamic"}
    for name in ("int8_weight_only", "int8_dynamic"):
        assert sizes[name] < 0.3 * sizes["fp32"]


def test_saved_int8_checkpoint_loads_with_weights_only(snippet):
    ns = snippet.namespace
    state = torch.load(snippet.workdir / "int8_dynamic.pt")  # weights_only=True by default
    restored = copy.deepcopy(ns["model"])
    restored.load_state_dict(state, assign=True)
    with torch.inference_mode():
        assert torch.equal(restored(ns["x"]), ns["quantized"](ns["x"]))


def test_latency_is_printed_with_units(snippet):
    assert len(re.findall(r"\d+\.\d{3} ms per batch", snippet.stdout)) == 3
