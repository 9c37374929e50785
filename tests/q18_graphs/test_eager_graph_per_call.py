import torch


def test_each_call_records_the_branch_it_took(snippet):
    lines = snippet.stdout.splitlines()
    assert lines[0].endswith(": MulBackward0 -> SinBackward0 -> torch::autograd::AccumulateGrad")
    assert lines[2].endswith(
        ": SubBackward0 -> ExpBackward0 -> SinBackward0 -> torch::autograd::AccumulateGrad"
    )


def test_gradients_follow_the_recorded_branch(snippet):
    f, recorded_graph = snippet.namespace["f"], snippet.namespace["recorded_graph"]
    positive = torch.tensor([0.2, 0.4, 0.6], requires_grad=True)
    out = f(positive)
    assert recorded_graph(out).startswith("MulBackward0 -> SinBackward0")
    out.sum().backward()
    torch.testing.assert_close(positive.grad, 2 * torch.cos(positive.detach()))

    x = snippet.namespace["x"]  # the last input of the loop, on the negative branch
    expected = torch.exp(torch.sin(x.detach())) * torch.cos(x.detach())
    torch.testing.assert_close(x.grad, expected)
