import pickle

import pytest
import torch

PAYLOAD = "this line was printed by code inside the file"


def test_only_weights_only_false_runs_the_payload(snippet):
    lines = snippet.stdout.splitlines()
    assert lines[0].startswith("weights_only=True: ")
    assert "GLOBAL print" in lines[0]
    assert lines[1] == PAYLOAD
    assert lines.count(PAYLOAD) == 1


def test_default_load_of_the_file_runs_nothing(snippet, capsys):
    with pytest.raises(pickle.UnpicklingError):
        torch.load(snippet.workdir / "untrusted.pt")
    assert PAYLOAD not in capsys.readouterr().out


def test_plain_data_loads_with_weights_only(snippet):
    plain = torch.load(snippet.workdir / "plain.pt", weights_only=True)
    assert plain["step"] == 10
    assert plain["note"] == "plain data"
    assert torch.equal(plain["weight"], torch.ones(2))


def test_plain_python_values_load_with_the_defaults(snippet):
    # What a training checkpoint holds: AdamW's param_groups carry a tuple (betas), None
    # (foreach, fused) and booleans besides numbers and strings.
    values = {"betas": (0.9, 0.999), "fused": None, "amsgrad": False, "lr": 0.01, "name": "x"}
    path = snippet.workdir / "plain_values.pt"
    torch.save({"weight": torch.ones(2), "groups": [values]}, path)
    assert torch.load(path)["groups"] == [values]
