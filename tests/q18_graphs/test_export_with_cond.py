import warnings

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


def test_the_error_points_at_the_if_and_strict_mode_raises_unsupported(snippet):
    """The page: the full message names the `if y.sum() > 0:` line and suggests draft_export();
    with strict=True TorchDynamo traces and raises Unsupported."""
    branchy, x = snippet.namespace["Branchy"](), snippet.namespace["x"]
    with pytest.raises(GuardOnDataDependentSymNode) as error:
        torch.export.export(branchy, (x,))
    assert "if y.sum() > 0:" in str(error.value)
    assert "draft_export()" in str(error.value)
    with pytest.raises(torch._dynamo.exc.Unsupported, match="Data-dependent branching"):
        torch.export.export(branchy, (x,), strict=True)


def test_torchscript_warns_and_trace_silently_keeps_one_branch(snippet):
    """The TorchScript box: both entry points emit a FutureWarning; jit.trace only adds a
    TracerWarning and then runs the traced branch for every input."""
    branchy, x = snippet.namespace["Branchy"](), snippet.namespace["x"]
    with warnings.catch_warnings(record=True) as scripted:
        warnings.simplefilter("always")
        torch.jit.script(branchy)
    with warnings.catch_warnings(record=True) as traced_warnings:
        warnings.simplefilter("always")
        traced = torch.jit.trace(branchy, (x,))
    for record in (scripted, traced_warnings):
        assert any(
            w.category is FutureWarning and "switch to `torch.compile` or `torch.export`" in str(w)
            for w in record
        )
    assert any(issubclass(w.category, torch.jit.TracerWarning) for w in traced_warnings)
    assert torch.equal(traced(x), branchy(x))
    assert torch.equal(traced(-x), torch.sin(-x) * 2)  # the positive branch, on a negative input
    assert not torch.allclose(traced(-x), branchy(-x))
