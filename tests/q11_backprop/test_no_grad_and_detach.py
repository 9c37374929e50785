def test_no_graph_is_recorded_without_grad(snippet):
    assert snippet.stdout.splitlines() == [
        "training forward records a graph: True AddmmBackward0",
        "under no_grad: False None",
        "under inference_mode: False True",
        "detached: False",
        "frozen model output requires grad: False",
    ]
    assert all(not p.requires_grad for p in snippet.namespace["model"].parameters())
