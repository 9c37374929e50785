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


def test_without_fullgraph_f_is_two_graphs_and_one_break(snippet):
    explanation = torch._dynamo.explain(snippet.namespace["f"])(torch.linspace(0.1, 1.0, 8))
    assert (explanation.graph_count, explanation.graph_break_count) == (2, 1)


@pytest.mark.parametrize("name", ["f_cond", "f_where"])
def test_rewrites_match_eager_on_both_branches(snippet, name):
    f = snippet.namespace["f"]
    compiled = torch.compile(snippet.namespace[name], backend="eager", fullgraph=True)
    x = torch.linspace(0.1, 1.0, 8)
    for v in (x, -x):
        assert torch.equal(compiled(v), f(v))
