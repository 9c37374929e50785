import re

import torch


def test_graph_counts_per_call(snippet):
    counts = [int(n) for n in re.findall(r"^[^ ].*: (\d+) new graph\(s\)", snippet.stdout, re.M)]
    assert counts == [2, 0, 1, 2, 0]
    assert snippet.stdout.count("same as eager: True") == 5
    assert len(snippet.namespace["graphs"]) == 5


def ops(gm):
    return [
        n.target if n.op == "call_method" else n.target.__name__
        for n in gm.graph.nodes
        if n.op in ("call_function", "call_method")
    ]


def test_the_break_splits_the_function_at_the_if(snippet):
    graphs = snippet.namespace["graphs"]
    assert ops(graphs[0]) == ["sin", "sum", "gt"]  # the first graph ends at the condition
    assert ops(graphs[1]) == ["mul"]
    assert ops(graphs[2]) == ["exp", "sub"]
    assert ops(graphs[3]) == ops(graphs[0])  # recompiled for dynamic shapes


def test_after_the_recompile_shapes_are_dynamic(snippet):
    compiled_f, f, graphs = (snippet.namespace[k] for k in ("compiled_f", "f", "graphs"))
    assert "input shape ['dynamic']" in snippet.stdout
    before = len(graphs)
    x = -torch.linspace(0.1, 1.0, 24)  # new size, branch not yet compiled for dynamic shapes
    assert torch.equal(compiled_f(x), f(x))
    assert len(graphs) == before + 1
    y = torch.linspace(0.1, 1.0, 40)
    assert torch.equal(compiled_f(y), f(y))
    assert torch.equal(compiled_f(-y), f(-y))
    assert len(graphs) == before + 1
