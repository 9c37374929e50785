import torch

torch._logging.set_logs(graph_breaks=True, recompiles=True)  # (1)!
graphs = []


def counting_backend(gm, example_inputs):  # (2)!
    ops = [
        node.target if node.op == "call_method" else node.target.__name__
        for node in gm.graph.nodes
        if node.op in ("call_function", "call_method")
    ]
    shape = [
        d if isinstance(d, int) else "dynamic"
        for node in gm.graph.nodes
        if node.op == "placeholder" and isinstance(node.meta.get("example_value"), torch.Tensor)
        for d in node.meta["example_value"].shape
    ]
    graphs.append(gm)
    print(f"  graph {len(graphs)}: ops {ops}, input shape {shape}")
    return gm.forward  # (3)!


def f(x):
    y = torch.sin(x)
    if y.sum() > 0:  # (4)!
        return y * 2
    return y.exp() - 1


compiled_f = torch.compile(f, backend=counting_backend)

calls = [
    ("x, 8 elements", torch.linspace(0.1, 1.0, 8)),
    ("x again", torch.linspace(0.1, 1.0, 8)),  # (5)!
    ("-x, 8 elements", -torch.linspace(0.1, 1.0, 8)),  # (6)!
    ("x, 16 elements", torch.linspace(0.1, 1.0, 16)),  # (7)!
    ("x, 32 elements", torch.linspace(0.1, 1.0, 32)),
]
for label, x in calls:
    before = len(graphs)
    out = compiled_f(x)
    same = torch.equal(out, f(x))
    print(f"{label}: {len(graphs) - before} new graph(s), same as eager: {same}")
