import pytest
import torch
from torch.fx.experimental.symbolic_shapes import GuardOnDataDependentSymNode


def test_python_if_cannot_be_exported(snippet):
    assert snippet.stdout.startswith(
        "GuardOnDataDependentSymNode: Could not guard on data-dependent expression"
    )
    with pytest.raises(GuardOnDataDependentSymNode):
        torch.export.export(snippet.namespace["Branchy"](), (torch.randn(2, 3),))


def test_exported_graph_holds_both_branches(snippet):
    program = snippet.namespace["program"]
    targets = [node.target for node in program.graph.nodes if node.op == "call_function"]
    assert torch.ops.higher_order.cond in targets
    assert "torch.ops.higher_order.cond(" in snippet.stdout


def test_saved_program_matches_eager_for_any_batch(snippet):
    path = snippet.workdir / "with_cond.pt2"
    assert path.is_file()
    loaded = torch.export.load(path).module()
    eager = snippet.namespace["Branchy"]()
    for batch in (1, 5, 1024):
        x = torch.rand(batch, 3) + 0.1
        assert torch.equal(loaded(x), eager(x))
        assert torch.equal(loaded(-x), eager(-x))
    with pytest.raises(AssertionError, match="<= 1024"):
        loaded(torch.ones(1025, 3))
    assert snippet.stdout.count("exported == eager: True") == 3
    assert snippet.stdout.splitlines()[-1] == "4x5 input: Guard failed: x.size()[1] == 3"
