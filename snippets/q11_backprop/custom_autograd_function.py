import torch


class Square(torch.autograd.Function):  # (1)!
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)  # (2)!
        return x * x

    @staticmethod
    def backward(ctx, grad_output):  # (3)!
        (x,) = ctx.saved_tensors
        return grad_output * 2 * x


x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
Square.apply(x).sum().backward()
print("gradient of sum(x**2):", x.grad)

x64 = torch.randn(5, dtype=torch.float64, requires_grad=True)  # (4)!
print("gradcheck passed:", torch.autograd.gradcheck(Square.apply, (x64,)))
