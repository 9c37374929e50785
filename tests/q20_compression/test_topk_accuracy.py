import pytest
import torch


def rank_of_label(logits, labels):
    """0 for the top prediction: how many classes score strictly higher than the label."""
    return (logits > logits.gather(1, labels.unsqueeze(1))).sum(dim=1)


def test_hand_example_matches_the_ranks(snippet):
    ns = snippet.namespace
    ranks = rank_of_label(ns["logits"], ns["labels"])
    assert ranks.tolist() == [0, 2, 5]  # ranks 1, 3 and 6, worked out by hand on the page
    assert ns["counts"] == {k: (ranks < k).sum().item() for k in (1, 3, 5)}


def test_agrees_with_ranks_on_random_logits(snippet):
    topk_correct = snippet.namespace["topk_correct"]
    gen = torch.Generator().manual_seed(7)
    logits = torch.randn(500, 12, generator=gen)
    labels = torch.randint(12, (500,), generator=gen)
    ranks = rank_of_label(logits, labels)
    counts = topk_correct(logits, labels, ks=(1, 2, 5, 12))
    assert counts == {k: (ranks < k).sum().item() for k in (1, 2, 5, 12)}
    assert counts[12] == 500
    assert counts[1] == (logits.argmax(dim=1) == labels).sum().item()


def test_the_original_expression_does_not_even_run(snippet):
    # The original, with its parenthesis fixed: it ranks the labels instead of the outputs.
    outputs, labels = snippet.namespace["logits"], snippet.namespace["labels"]
    _, predicted = outputs.max(1)
    with pytest.raises(RuntimeError, match="must match the size"):
        (predicted == labels.unsqueeze(1).expand_as(outputs).topk(5, 1)[1]).sum().item()
