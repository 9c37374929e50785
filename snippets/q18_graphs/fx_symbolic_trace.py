import torch
from torch.fx import symbolic_trace
from torch.fx.proxy import TraceError


def no_branch(x):
    y = torch.sin(x)
    for _ in range(2):  # (1)!
        y = y * 2
    return y


def f(x):
    y = torch.sin(x)
    if y.sum() > 0:
        return y * 2
    return y.exp() - 1


traced = symbolic_trace(no_branch)  # (2)!
print(traced.code.strip())
x = torch.linspace(-1.0, 1.0, 5)
print("traced == eager:", torch.equal(traced(x), no_branch(x)))

try:
    symbolic_trace(f)  # (3)!
except TraceError as error:
    print(f"{type(error).__name__}: {error}")
