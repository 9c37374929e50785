import pytest
import torch
from torch import nn


def test_the_old_api_warns_deprecation(snippet):
    first = snippet.stdout.splitlines()[0]
    assert first.startswith("DeprecationWarning: torch.ao.quantization is deprecated")
    with pytest.warns(DeprecationWarning, match="torch.ao.quantization is deprecated"):
        torch.ao.quantization.quantize_dynamic(nn.Linear(4, 4), {nn.Linear}, dtype=torch.qint8)


def test_conv_is_silently_left_in_fp32(snippet):
    quantized = snippet.namespace["quantized"]
    assert type(quantized.conv) is nn.Conv1d
    assert quantized.conv.weight.dtype == torch.float32
    assert type(quantized.lstm) is torch.ao.nn.quantized.dynamic.LSTM
    assert type(quantized.fc) is torch.ao.nn.quantized.dynamic.Linear
    assert quantized.fc.weight().dtype == torch.qint8
    # quantize_dynamic copies: the original model is untouched
    assert type(snippet.namespace["model"].lstm) is nn.LSTM


def test_smaller_and_close(snippet):
    ns = snippet.namespace
    assert ns["saved_size"](ns["quantized"]) < 0.35 * ns["saved_size"](ns["model"])
    assert ns["error"] < 0.05


def test_torchao_configs_have_no_recurrent_layers(snippet):
    # The page: quantize_dynamic covers LSTM/GRU and the cells; torchao's configs need `.weight`.
    from torchao.quantization import Int8DynamicActivationInt8WeightConfig, quantize_

    for layer in (nn.LSTM(8, 8), nn.GRU(8, 8), nn.GRUCell(8, 8)):
        with pytest.raises(AssertionError, match="requires module to have weight"):
            quantize_(
                nn.Sequential(layer),
                Int8DynamicActivationInt8WeightConfig(),
                filter_fn=lambda module, fqn, layer=layer: module is layer,
            )
