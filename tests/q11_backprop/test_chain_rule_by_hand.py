def test_autograd_matches_the_chain_rule(snippet):
    ns = snippet.namespace
    dloss_dy = 2 * (ns["y"].item() - ns["target"].item())
    assert ns["w"].grad.item() == dloss_dy * ns["x"].item() == -12.0
    assert ns["b"].grad.item() == dloss_dy == -6.0


def test_only_tensors_that_require_grad_get_a_gradient(snippet):
    assert snippet.namespace["x"].grad is None
    assert "x.grad: None" in snippet.stdout


def test_graph_is_recorded_from_the_loss_back(snippet):
    assert "graph: PowBackward0 <- SubBackward0" in snippet.stdout


def test_only_differentiable_operations_add_a_node(snippet):
    w = snippet.namespace["w"]
    assert (w * 2).grad_fn is not None
    assert w.argmax().grad_fn is None
    assert (w > 0).grad_fn is None
