"""The snippet starts a child interpreter (`python -X importtime`) to time the imports, so it is
declared multiprocess (snippets/snippets.toml) and runs as `python lightning_costs.py`: assertions
are on stdout and files."""

import re


def seconds(out, name):
    return float(re.search(rf"^import {name}: (\d+\.\d) s$", out, re.M)[1])


def test_import_times_are_reported(snippet):
    assert seconds(snippet.stdout, "torch") > 0
    assert seconds(snippet.stdout, "lightning") > 0  # measured after torch: lightning's own share


def test_lightning_pulls_in_packages_torch_alone_does_not(snippet):
    line = re.search(r"^pulled in by lightning: \[(.*)\]$", snippet.stdout, re.M)[1]
    assert {"'torchmetrics'", "'torch._dynamo'"} <= set(line.split(", "))


def test_trainer_costs_more_cpu_time_but_computes_the_same_weights(snippet):
    found = dict(
        re.findall(r"^(plain_loop|trainer_fit): 64 steps, (\d+) ms CPU time$", snippet.stdout, re.M)
    )
    assert set(found) == {"plain_loop", "trainer_fit"}
    # The page says the Trainer took more CPU time for the same steps (recorded: about 2.5x).
    assert int(found["trainer_fit"]) > 1.25 * int(found["plain_loop"])
    assert "same weights: True" in snippet.stdout


def test_training_step_runs_deep_inside_optimizer_step(snippet):
    found = re.search(r"training_step: (\d+) frames, (\d+) in lightning", snippet.stdout)
    count, in_lightning = int(found[1]), int(found[2])
    assert count > in_lightning > count / 2
    chain = " > ".join(
        line.strip() for line in snippet.stdout.splitlines() if line.startswith("  ")
    ).split(" > ")
    assert len(chain) == count > 20
    assert chain[:3] == ["<module>", "trainer_fit", "fit"]
    assert chain[-1] == "training_step"
    # automatic optimization calls training_step from the closure passed to optimizer.step()
    assert chain.index("optimizer_step") < chain.index("step") < chain.index("closure")
    assert chain.index("closure") < chain.index("training_step")


def test_nothing_written_to_disk(snippet):
    assert snippet.written == set()


def test_hook_counts_are_those_of_the_installed_lightning(snippet):
    import lightning as L

    for cls in (L.LightningModule, L.Callback):
        hooks = [n for n in dir(cls) if n.startswith("on_") and callable(getattr(cls, n))]
        assert f"{cls.__name__}: {len(hooks)} on_* hooks\n" in snippet.stdout
        assert len(hooks) > 30
