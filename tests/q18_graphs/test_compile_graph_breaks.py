import logging
import re

import pytest
import torch


@pytest.fixture(scope="module", autouse=True)
def _default_logs_afterwards():
    yield
    torch._logging.set_logs()  # the snippet turned on graph_breaks and recompiles logs


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


class Messages(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_logs_give_the_break_reason_and_what_triggers_a_recompile(snippet):
    """Replays the snippet's calls from scratch, capturing what set_logs turned on."""
    compiled_f, calls = snippet.namespace["compiled_f"], snippet.namespace["calls"]
    torch._dynamo.reset()
    handler, logger = Messages(), logging.getLogger("torch._dynamo")
    logger.addHandler(handler)
    per_call = []
    try:
        for _, x in calls:
            handler.messages.clear()
            compiled_f(x)
            per_call.append(list(handler.messages))
    finally:
        logger.removeHandler(handler)
        torch._dynamo.reset()
    assert any("Graph Break Reason: Data-dependent branching" in m for m in per_call[0])
    recompiles = [[m for m in messages if "Recompiling function" in m] for messages in per_call]
    # -x takes the other branch: code after the break that runs for the first time is compiled
    # as a new frame, not recompiled; only the new size fails a guard (for f and for the code
    # after the break).
    assert [len(r) for r in recompiles] == [0, 0, 0, 2, 0]
    assert all("size mismatch at index 0. expected 8, actual 16" in m for m in recompiles[3])
    assert "Recompiling function f " in recompiles[3][0]
