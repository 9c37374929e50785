import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

torch.manual_seed(0)
sequences = [torch.randn(n, 4) for n in (5, 2, 7)]
lengths = torch.tensor([len(s) for s in sequences])
padded = pad_sequence(sequences, batch_first=True)  # (3, 7, 4)
lstm = torch.nn.LSTM(input_size=4, hidden_size=6, batch_first=True)

packed = pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)  # (1)!
packed_out, (h_n, c_n) = lstm(packed)  # (2)!
out, out_lengths = pad_packed_sequence(packed_out, batch_first=True)  # (3)!
print("output", tuple(out.shape), "lengths", out_lengths.tolist(), "h_n", tuple(h_n.shape))

alone = [lstm(s.unsqueeze(0)) for s in sequences]  # (4)!
for i, (seq_out, (h_alone, _)) in enumerate(alone):
    n = lengths[i]
    assert torch.allclose(h_n[:, i], h_alone[:, 0], atol=1e-6)
    assert torch.allclose(out[i, :n], seq_out[0], atol=1e-6)
    assert torch.all(out[i, n:] == 0)
print("packed: every final hidden state equals running that sequence alone")

_, (h_unpacked, _) = lstm(padded)  # (5)!
matches = [
    torch.allclose(h_unpacked[:, i], h[:, 0], atol=1e-6) for i, (_, (h, _)) in enumerate(alone)
]
print("padded, not packed: final hidden state matches for lengths", lengths.tolist(), "->", matches)
