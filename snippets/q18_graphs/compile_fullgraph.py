import torch


def f(x):
    y = torch.sin(x)
    if y.sum() > 0:
        return y * 2
    return y.exp() - 1


def f_cond(x):
    y = torch.sin(x)
    return torch.cond(y.sum() > 0, lambda y: y * 2, lambda y: y.exp() - 1, (y,))  # (1)!


def f_where(x):
    y = torch.sin(x)
    return torch.where(y.sum() > 0, y * 2, y.exp() - 1)  # (2)!


x = torch.linspace(0.1, 1.0, 8)
for fn in (f, f_cond, f_where):
    try:
        compiled = torch.compile(fn, backend="eager", fullgraph=True)  # (3)!
        same = all(torch.equal(compiled(v), f(v)) for v in (x, -x))
        print(f"{fn.__name__}: fullgraph=True compiles, same as eager for x and -x: {same}")
    except RuntimeError as error:
        reason = str(error).splitlines()[0]
        print(f"{fn.__name__}: fullgraph=True raises {type(error).__name__}: {reason}")
