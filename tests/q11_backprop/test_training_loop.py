import re


def test_loss_goes_down(snippet):
    losses = [float(v) for v in re.findall(r"loss (\d+\.\d+)", snippet.stdout)]
    assert len(losses) == 5
    assert losses == sorted(losses, reverse=True)
    assert losses[-1] < losses[0] / 10


def test_model_learned_the_linear_map(snippet):
    ns = snippet.namespace
    error = ns["loss_fn"](ns["model"](ns["inputs"]), ns["targets"]).item()
    assert error < 0.05
