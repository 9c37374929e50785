import torch


def test_custom_backward_gives_the_derivative(snippet):
    assert torch.equal(snippet.namespace["x"].grad, torch.tensor([2.0, -4.0, 6.0]))


def test_gradcheck_passes_and_catches_a_wrong_backward(snippet):
    assert "gradcheck passed: True" in snippet.stdout
    square = snippet.namespace["Square"]

    class WrongSquare(square):
        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * x

    x = torch.randn(4, dtype=torch.float64, requires_grad=True)
    assert not torch.autograd.gradcheck(WrongSquare.apply, (x,), raise_exception=False)
