import pytest
import torch


def test_fullgraph_outcome_per_function(snippet):
    assert snippet.stdout.splitlines() == [
        "f: fullgraph=True raises Unsupported: Data-dependent branching",
        "f_cond: fullgraph=True compiles, same as eager for x and -x: True",
        "f_where: fullgraph=True compiles, same as eager for x and -x: True",
    ]


def test_fullgraph_refuses_the_python_if(snippet):
    compiled = torch.compile(snippet.namespace["f"], backend="eager", fullgraph=True)
    with pytest.raises(torch._dynamo.exc.Unsupported, match="Data-dependent branching"):
        compiled(torch.randn(5))
    assert issubclass(torch._dynamo.exc.Unsupported, RuntimeError)


@pytest.mark.parametrize(
    ("name", "graphs", "breaks"), [("f", 2, 1), ("f_cond", 1, 0), ("f_where", 1, 0)]
)
def test_graph_counts_without_fullgraph(snippet, name, graphs, breaks):
    explanation = torch._dynamo.explain(snippet.namespace[name])(torch.linspace(0.1, 1.0, 8))
    assert (explanation.graph_count, explanation.graph_break_count) == (graphs, breaks)


@pytest.mark.parametrize("name", ["f_cond", "f_where"])
def test_rewrites_match_eager_on_both_branches(snippet, name):
    f = snippet.namespace["f"]
    compiled = torch.compile(snippet.namespace[name], backend="eager", fullgraph=True)
    x = torch.linspace(0.1, 1.0, 8)
    for v in (x, -x):
        assert torch.equal(compiled(v), f(v))
