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
