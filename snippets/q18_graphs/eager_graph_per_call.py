import torch


def f(x):
    y = torch.sin(x)
    if y.sum() > 0:  # (1)!
        return y * 2
    return y.exp() - 1


def recorded_graph(out):
    names, node = [], out.grad_fn  # (2)!
    while node is not None:
        names.append(node.name())
        node = node.next_functions[0][0] if node.next_functions else None
    return " -> ".join(names)


for values in ([0.5, 1.0, 1.5], [-0.5, -1.0, -1.5]):
    x = torch.tensor(values, requires_grad=True)
    out = f(x)  # (3)!
    print(f"input {values}: {recorded_graph(out)}")
    out.sum().backward()  # (4)!
    print(f"  x.grad = {x.grad}")
