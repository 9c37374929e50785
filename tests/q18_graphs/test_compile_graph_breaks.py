import logging
import re

import pytest
import torch


class Messages(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


MESSAGES = Messages()
DYNAMO_LOG = logging.getLogger("torch._dynamo")


@pytest.fixture(scope="module", autouse=True)
def _listen_to_dynamo_logs():
    """Listen to TorchDynamo's log records while the snippet runs (the snippet turns them on).
    An autouse fixture is set up before the module's `snippet` fixture."""
    DYNAMO_LOG.addHandler(MESSAGES)
    yield
    DYNAMO_LOG.removeHandler(MESSAGES)
    torch._logging.set_logs()


def test_graph_counts_per_call(snippet):
    counts = [int(n) for n in re.findall(r"^[^ ].*: (\d+) new graph\(s\)", snippet.stdout, re.M)]
    assert counts == [2, 0, 1, 2, 0]
    assert snippet.stdout.count("same as eager: True") == 5
    assert len(snippet.namespace["graphs"]) == 5


def test_logs_give_the_break_reason_and_what_triggers_each_recompile(snippet):
    messages = list(MESSAGES.messages)  # what the snippet's run logged (tests below add more)
    assert any("Graph Break Reason: Data-dependent branching" in m for m in messages)
    recompiles = [m for m in messages if "Recompiling function" in m]
    # Only the new size fails a guard, for f and for the code after the break. -x, which takes
    # the other branch, compiles code that had not run before: no recompile.
    assert len(recompiles) == 2, recompiles
    assert all("size mismatch at index 0. expected 8, actual 16" in m for m in recompiles)
    assert recompiles[0].startswith("Recompiling function f ")


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


def test_past_the_recompile_limit_old_code_still_runs_and_new_cases_run_eagerly(snippet):
    """The page: once recompile_limit is reached, compiled code is still used when its guards
    pass and only new cases run eagerly; with fullgraph=True reaching the limit raises."""
    runs = []

    def counting_runs(gm, example_inputs):
        def run(*args):
            runs.append(gm)
            return gm.forward(*args)

        return run

    def scale(x, n):
        return x * n

    def scale_fullgraph(x, n):
        return x * n

    x = torch.ones(3)
    with torch._dynamo.config.patch(recompile_limit=2):
        compiled = torch.compile(scale, backend=counting_runs, dynamic=False)
        ran_compiled = []
        for n in (1, 2, 3, 1, 2, 3):  # each new int n fails a guard: n == 1, n == 2
            before = len(runs)
            assert torch.equal(compiled(x, n), x * n)
            ran_compiled.append(len(runs) - before)
        assert ran_compiled == [1, 1, 0, 1, 1, 0]

        strict = torch.compile(
            scale_fullgraph, backend=counting_runs, dynamic=False, fullgraph=True
        )
        strict(x, 1)
        strict(x, 2)
        with pytest.raises(torch._dynamo.exc.FailOnRecompileLimitHit, match="fullgraph=True"):
            strict(x, 3)
