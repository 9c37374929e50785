import warnings

import pytest
import torch
import torch.nn.functional as F


def test_mask_is_true_exactly_on_padding(snippet):
    ns = snippet.namespace
    for row, n in zip(ns["padding_mask"], ns["lengths"], strict=True):
        assert not row[:n].any()
        assert row[n:].all()


def test_masked_attention_equals_each_sequence_alone(snippet):
    ns = snippet.namespace
    mha, out = ns["mha"], ns["out"]
    with torch.no_grad():
        for i, sequence in enumerate(ns["sequences"]):
            alone, _ = mha(sequence[None], sequence[None], sequence[None], need_weights=False)
            assert torch.allclose(out[i, : len(sequence)], alone[0], atol=1e-6)


def test_without_the_mask_padding_leaks_into_short_sequences(snippet):
    ns = snippet.namespace
    mha, padded, out = ns["mha"], ns["padded"], ns["out"]
    with torch.no_grad():
        unmasked, _ = mha(padded, padded, padded, need_weights=False)
    for i, n in enumerate(ns["lengths"].tolist()):
        leaks = not torch.allclose(unmasked[i, :n], out[i, :n], atol=1e-6)
        assert leaks == (n < padded.shape[1])


def test_pooling_averages_real_positions_only(snippet):
    ns = snippet.namespace
    for i, n in enumerate(ns["lengths"].tolist()):
        assert torch.allclose(ns["pooled"][i], ns["out"][i, :n].mean(dim=0), atol=1e-6)


def test_sdpa_mask_is_the_inverse_convention(snippet):
    ns = snippet.namespace
    assert torch.equal(ns["attn_mask"][:, 0, 0], ~ns["padding_mask"])
    assert ns["same"] is False
    assert snippet.stdout.splitlines()[-2].endswith("same result: False")


def test_inverted_mask_attends_to_padding_only_or_gives_silent_zeros(snippet):
    ns = snippet.namespace
    q, padding_mask, lengths, wrong = (
        ns["q"],
        ns["padding_mask"],
        ns["lengths"].tolist(),
        ns["wrong"],
    )
    assert snippet.stdout.splitlines()[-1].endswith("all zeros: [True, True, True]")
    assert not wrong.isnan().any()
    full = lengths.index(q.shape[2])
    assert not padding_mask[full].any()  # no padding: the inverted mask masks out every key
    assert torch.equal(wrong[full], torch.zeros_like(wrong[full]))
    # The short sequences' zeros come from the zero padding they attend to: pad with values
    # instead, and their real positions return attention over the padded keys alone.
    noisy = torch.where(padding_mask[:, None, :, None], torch.randn_like(q) + 3, q)
    inverted = padding_mask[:, None, None, :]
    out = F.scaled_dot_product_attention(noisy, noisy, noisy, attn_mask=inverted)
    for i, n in enumerate(lengths):
        if i == full:
            continue
        pad = noisy[i : i + 1, :, n:]
        expected = F.scaled_dot_product_attention(noisy[i : i + 1, :, :n], pad, pad)
        assert torch.allclose(out[i : i + 1, :, :n], expected, atol=1e-5)


def _warnings_of(fn):
    """Run fn, return (result, warning messages); the nested-tensor warning is a C++ warn-once,
    so warn_always makes it show up however often it was emitted before in this process."""
    always = torch.is_warn_always_enabled()
    torch.set_warn_always(True)
    try:
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            result = fn()
    finally:
        torch.set_warn_always(always)
    return result, [str(w.message) for w in record if w.category is UserWarning]


PROTOTYPE = "The PyTorch API of nested tensors is in prototype stage"


def test_nested_tensors_box(snippet):
    """The nested tensors section: what the page says of layouts, warnings, SDPA and MHA."""
    sequences, mha = snippet.namespace["sequences"], snippet.namespace["mha"]
    strided, messages = _warnings_of(lambda: torch.nested.nested_tensor(sequences))
    assert strided.layout == torch.strided
    assert any(PROTOTYPE in m for m in messages)
    jagged, messages = _warnings_of(
        lambda: torch.nested.nested_tensor(sequences, layout=torch.jagged)
    )
    assert not any(PROTOTYPE in m for m in messages)
    assert str(jagged.shape) == "torch.Size([3, j1, 8])"
    linear = torch.nn.Linear(8, 4)
    with torch.no_grad():
        projected = linear(jagged)
        for row, sequence in zip(projected.unbind(), sequences, strict=True):
            assert torch.allclose(row, linear(sequence), atol=1e-6)

    q = jagged.unflatten(-1, (2, 4)).transpose(1, 2)  # (batch, heads, j1, head_dim)
    out, messages = _warnings_of(lambda: F.scaled_dot_product_attention(q, q, q))
    assert out.layout == torch.jagged
    assert any(PROTOTYPE in m for m in messages)  # the math path goes through strided
    for row, sequence in zip(out.unbind(), sequences, strict=True):
        one = sequence.unflatten(-1, (2, 4)).transpose(0, 1)
        assert torch.allclose(row, F.scaled_dot_product_attention(one, one, one), atol=1e-6)

    rejected = "does not support NestedTensor outside of its fast path"
    assert not mha.training
    with torch.no_grad(), pytest.raises(AssertionError, match=rejected):
        mha(jagged, jagged, jagged, need_weights=False)  # eval mode, no_grad: still refused
