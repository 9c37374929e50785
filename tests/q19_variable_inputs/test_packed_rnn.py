import torch


def test_packed_final_states_equal_each_sequence_run_alone(snippet):
    ns = snippet.namespace
    lstm, h_n, c_n = ns["lstm"], ns["h_n"], ns["c_n"]
    with torch.no_grad():
        for i, sequence in enumerate(ns["sequences"]):
            _, (h, c) = lstm(sequence.unsqueeze(0))
            assert torch.allclose(h_n[:, i], h[:, 0], atol=1e-6)
            assert torch.allclose(c_n[:, i], c[:, 0], atol=1e-6)


def test_unpacked_output_is_zero_after_each_length(snippet):
    ns = snippet.namespace
    assert torch.equal(ns["out_lengths"], ns["lengths"])
    for row, n in zip(ns["out"], ns["lengths"], strict=True):
        assert torch.all(row[n:] == 0)
        assert torch.all(row[:n].abs().sum(dim=-1) > 0)


def test_without_packing_only_the_longest_sequence_is_right(snippet):
    lengths = snippet.namespace["lengths"].tolist()
    expected = [n == max(lengths) for n in lengths]
    assert snippet.namespace["matches"] == expected
    assert snippet.stdout.splitlines()[-1].endswith(str(expected))
