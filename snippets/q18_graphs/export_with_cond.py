import torch
from torch.export import Dim, export


class Branchy(torch.nn.Module):
    def forward(self, x):
        y = torch.sin(x)
        if y.sum() > 0:
            return y * 2
        return y.exp() - 1


class WithCond(torch.nn.Module):
    def forward(self, x):
        y = torch.sin(x)
        return torch.cond(y.sum() > 0, lambda y: y * 2, lambda y: y.exp() - 1, (y,))


x = torch.linspace(0.1, 1.2, 12).reshape(4, 3)
try:
    export(Branchy(), (x,))  # (1)!
except RuntimeError as error:
    print(f"{type(error).__name__}: {str(error).splitlines()[0]}")

batch = Dim("batch", min=1, max=1024)  # (2)!
program = export(WithCond(), (x,), dynamic_shapes={"x": {0: batch}})
print(program.graph_module.code.strip())  # (3)!

torch.export.save(program, "with_cond.pt2")  # (4)!
loaded = torch.export.load("with_cond.pt2").module()
for label, inp in [("x", x), ("-x", -x), ("batch of 7", torch.linspace(-1, 1, 21).reshape(7, 3))]:
    print(f"{label}: exported == eager: {torch.equal(loaded(inp), Branchy()(inp))}")

try:
    loaded(torch.ones(4, 5))  # (5)!
except AssertionError as error:
    print(f"4x5 input: {error}")
