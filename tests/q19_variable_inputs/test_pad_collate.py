import re

import torch


def test_default_collate_cannot_stack_different_lengths(snippet):
    assert "default collate: stack expects each tensor to be equal size" in snippet.stdout


def test_batches_hold_the_sequences_padded_with_zeros(snippet):
    dataset = snippet.namespace["dataset"]
    batches = snippet.namespace["batches"]
    assert len(batches) == 2
    index = 0
    for padded, lengths, labels in batches:
        assert padded.shape[1] == lengths.max()
        for row, n, label in zip(padded, lengths, labels, strict=True):
            sequence, expected_label = dataset[index]
            assert n == len(sequence)
            assert label == expected_label
            assert torch.equal(row[:n], sequence)
            assert torch.all(row[n:] == 0)
            index += 1
    assert index == len(dataset)


def test_printed_padding_counts_match_the_lengths(snippet):
    counts = re.findall(r"padded positions (\d+) of (\d+)", snippet.stdout)
    for (padded_count, total), (padded, lengths, _) in zip(
        counts, snippet.namespace["batches"], strict=True
    ):
        assert int(total) == padded.shape[0] * padded.shape[1]
        assert int(padded_count) == int(total) - lengths.sum().item()
