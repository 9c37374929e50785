import operator

import pytest
import torch
from torch.fx import GraphModule, symbolic_trace
from torch.fx.proxy import TraceError


def test_python_loop_is_unrolled_into_the_graph(snippet):
    traced = snippet.namespace["traced"]
    assert isinstance(traced, GraphModule)
    targets = [node.target for node in traced.graph.nodes if node.op == "call_function"]
    assert targets == [torch.sin, operator.mul, operator.mul]
    x = torch.randn(10)
    assert torch.equal(traced(x), snippet.namespace["no_branch"](x))
    assert "traced == eager: True" in snippet.stdout


def test_data_dependent_if_raises_trace_error(snippet):
    with pytest.raises(TraceError, match="cannot be used as inputs to control flow"):
        symbolic_trace(snippet.namespace["f"])
    assert issubclass(TraceError, ValueError)
    assert snippet.stdout.splitlines()[-1] == (
        "TraceError: symbolically traced variables cannot be used as inputs to control flow"
    )


def test_branching_on_a_shape_fails_too_and_concrete_args_fix_only_a_flag(snippet):
    """The page: control flow may depend neither on a tensor input's values nor on its shape;
    concrete_args can fix a non-tensor argument such as a flag."""

    def on_shape(x):
        if x.shape[0] > 2:
            return x * 2
        return x

    def on_flag(x, double):
        if double:
            return x * 2
        return x

    with pytest.raises(TraceError, match="cannot be used as inputs to control flow"):
        symbolic_trace(on_shape)
    traced = symbolic_trace(on_flag, concrete_args={"double": True})
    x = torch.randn(4)
    assert torch.equal(traced(x, True), x * 2)
    assert operator.mul in [node.target for node in traced.graph.nodes]
