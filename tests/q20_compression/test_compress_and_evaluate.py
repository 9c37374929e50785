import re

import torch
from torch import nn


def _rows(stdout):
    pattern = r"^(.+?)\s+([\d,]+) bytes  top-1 (\d\.\d{3})  top-5 (\d\.\d{3})$"
    return {
        name: (int(size.replace(",", "")), float(top1), float(top5))
        for name, size, top1, top5 in re.findall(pattern, stdout, re.M)
    }


def test_evaluate_counts_top1_and_top5_correctly(snippet):
    ns = snippet.namespace
    inputs, labels = ns["test_loader"].dataset.tensors
    with torch.inference_mode():
        logits = ns["model"](inputs)
    rank = (logits > logits.gather(1, labels.unsqueeze(1))).sum(dim=1)
    expected = ((rank < 1).sum().item() / len(labels), (rank < 5).sum().item() / len(labels))
    assert ns["evaluate"](ns["model"]) == expected
    assert _rows(snippet.stdout)["fp32"][1:] == tuple(round(v, 3) for v in expected)


def test_pruned_model_is_90_percent_zeros_and_plain_again(snippet):
    pruned = snippet.namespace["pruned"]
    weights = [m.weight for m in pruned if isinstance(m, nn.Linear)]
    zeros = sum((w == 0).sum().item() for w in weights)
    assert zeros == round(0.9 * sum(w.numel() for w in weights))
    assert all(not hasattr(m, "weight_mask") for m in pruned)


def test_sizes_and_accuracies(snippet):
    rows = _rows(snippet.stdout)
    names = ["fp32", "pruned 90%, masks on", "pruned 90%, fine-tuned", "int8 weight-only (torchao)"]
    assert list(rows) == names
    fp32, masked, tuned, int8 = rows.values()
    assert masked[0] > 1.9 * fp32[0]  # masks on: twice the file
    assert abs(tuned[0] - fp32[0]) < 0.001 * fp32[0]  # after remove: the same size
    assert int8[0] < 0.3 * fp32[0]  # about a quarter
    for _, top1, top5 in rows.values():
        assert top1 <= top5 <= 1.0
    assert fp32[1] > 0.5
    assert masked[1] < fp32[1] - 0.05  # pruning costs accuracy (recorded: 0.134)
    assert tuned[1] > masked[1] + 0.02  # fine-tuning with the masks on recovers some (0.047)
    assert tuned[1] < fp32[1]
    assert abs(int8[1] - fp32[1]) < 0.01  # int8 weights: no change in accuracy to speak of
