import pytest
import torch


def test_explain_counts(snippet):
    lines = snippet.stdout.splitlines()
    assert lines[0] == "f: 2 graph(s), 1 graph break(s)"
    assert lines[2] == "f_cond: 1 graph(s), 0 graph break(s)"
    assert lines[4] == "f_where: 1 graph(s), 0 graph break(s)"
    explanation = torch._dynamo.explain(snippet.namespace["f"])(torch.randn(5))
    assert (explanation.graph_count, explanation.graph_break_count) == (2, 1)


def test_fullgraph_refuses_the_python_if(snippet):
    assert "fullgraph=True: Unsupported: Data-dependent branching" in snippet.stdout
    compiled = torch.compile(snippet.namespace["f"], backend="eager", fullgraph=True)
    with pytest.raises(torch._dynamo.exc.Unsupported, match="Data-dependent branching"):
        compiled(torch.randn(5))


@pytest.mark.parametrize("name", ["f_cond", "f_where"])
def test_rewrites_match_eager_on_both_branches(snippet, name):
    f = snippet.namespace["f"]
    compiled = torch.compile(snippet.namespace[name], backend="eager", fullgraph=True)
    x = torch.linspace(0.1, 1.0, 8)
    for v in (x, -x):
        assert torch.equal(compiled(v), f(v))
    assert snippet.stdout.count("fullgraph=True compiles, same as eager for x and -x: True") == 2
