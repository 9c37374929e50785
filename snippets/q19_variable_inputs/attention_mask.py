import torch
import torch.nn.functional as F
from torch.nn.utils.rnn import pad_sequence

torch.manual_seed(0)
sequences = [torch.randn(n, 8) for n in (5, 2, 7)]
lengths = torch.tensor([len(s) for s in sequences])
padded = pad_sequence(sequences, batch_first=True)  # (3, 7, 8)
padding_mask = torch.arange(padded.shape[1]) >= lengths[:, None]  # (1)!

mha = torch.nn.MultiheadAttention(embed_dim=8, num_heads=2, batch_first=True).eval()
noisy = torch.where(padding_mask[..., None], 100 * torch.randn_like(padded), padded)
with torch.no_grad():
    out, _ = mha(padded, padded, padded, key_padding_mask=padding_mask, need_weights=False)  # (2)!
    out_noisy, _ = mha(noisy, noisy, noisy, key_padding_mask=padding_mask, need_weights=False)
    alone = [mha(s[None], s[None], s[None], need_weights=False)[0][0] for s in sequences]
real = ~padding_mask
assert torch.allclose(out[real], out_noisy[real], atol=1e-6)  # (3)!
for i, n in enumerate(lengths):
    assert torch.allclose(out[i, :n], alone[i], atol=1e-6)
print("MultiheadAttention: real positions ignore the padding and equal running each alone")

pooled = (out * real[..., None]).sum(dim=1) / lengths[:, None]  # (4)!
assert torch.allclose(pooled[1], alone[1].mean(dim=0), atol=1e-6)
print("masked mean pooling:", tuple(pooled.shape))


def heads(x):  # (batch, length, 8) -> (batch, 2 heads, length, 4)
    return x.unflatten(-1, (2, 4)).transpose(1, 2)


q = heads(padded)
attn_mask = real[:, None, None, :]  # (5)!
out_sdpa = F.scaled_dot_product_attention(q, q, q, attn_mask=attn_mask)
for i, s in enumerate(sequences):
    one = heads(s[None])
    expected = F.scaled_dot_product_attention(one, one, one)
    assert torch.allclose(out_sdpa[i, :, : lengths[i]], expected[0], atol=1e-6)
print("scaled_dot_product_attention: real positions equal running each alone")

wrong = F.scaled_dot_product_attention(q, q, q, attn_mask=padding_mask[:, None, None, :])  # (6)!
same = torch.allclose(wrong.transpose(1, 2)[real], out_sdpa.transpose(1, 2)[real], atol=1e-6)
print("SDPA given the key_padding_mask convention gives the same result:", same)
print("  sequences whose outputs are all zeros:", [bool((w == 0).all()) for w in wrong])
