import io
import pickle
import pickletools
import sys
import warnings
import zipfile

import pytest
import torch


def test_default_load_refuses_a_pickled_module(snippet):
    path = snippet.workdir / "whole_model.pt"
    with pytest.raises(pickle.UnpicklingError, match=r"GLOBAL __main__\.TinyNet"):
        torch.load(path)
    needed = sorted(torch.serialization.get_unsafe_globals_in_checkpoint(path))
    assert needed == ["__main__.TinyNet", "torch.nn.modules.linear.Linear"]
    assert f"globals not allowlisted: {needed}" in snippet.stdout


def test_trusted_loads_give_back_the_same_module(snippet):
    ns = snippet.namespace
    for loaded in (ns["allowed"], ns["loaded"]):
        assert type(loaded).__name__ == "TinyNet"
        assert loaded is not ns["model"]
        assert torch.equal(loaded.fc.weight, ns["model"].fc.weight)
        assert torch.equal(loaded.fc.bias, ns["model"].fc.bias)


def test_loading_needs_the_class_importable(snippet):
    assert "TinyNet" not in snippet.namespace
    # Here __main__ is pytest, which has no TinyNet either: the same failure as in the snippet.
    with pytest.raises(AttributeError, match="TinyNet"):
        torch.load(snippet.workdir / "whole_model.pt", weights_only=False)
    assert snippet.stdout.splitlines()[-1] == "without the class: Can't get attribute 'TinyNet'"


def test_the_pickle_refers_to_more_globals_than_the_unsafe_ones(snippet):
    with zipfile.ZipFile(snippet.workdir / "whole_model.pt") as archive:
        (name,) = [n for n in archive.namelist() if n.endswith("/data.pkl")]
        listing = io.StringIO()
        pickletools.dis(archive.read(name), listing)
    found = set()
    for line in listing.getvalue().splitlines():
        if " GLOBAL " in line:
            found.add(line.split("GLOBAL")[1].strip().strip("'").replace(" ", "."))
    assert {"__main__.TinyNet", "torch.nn.modules.linear.Linear"} < found
    assert {"collections.OrderedDict", "torch.FloatStorage"} <= found


def test_a_class_moved_to_another_module_no_longer_loads(snippet, tmp_path, monkeypatch):
    (tmp_path / "q15_old_module.py").write_text(
        "from torch import nn\n\n\nclass Net(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(3, 2)\n"
    )
    monkeypatch.syspath_prepend(tmp_path)
    import q15_old_module

    torch.save(q15_old_module.Net(), tmp_path / "net.pt")
    (tmp_path / "q15_old_module.py").unlink()
    monkeypatch.delitem(sys.modules, "q15_old_module")
    with pytest.raises(ModuleNotFoundError, match="q15_old_module"):
        torch.load(tmp_path / "net.pt", weights_only=False)


@pytest.mark.parametrize("api", ["script", "trace"])
def test_torchscript_is_deprecated(snippet, api):
    layer = torch.nn.Linear(3, 2)
    message = (
        f"`torch.jit.{api}` is deprecated. Please switch to `torch.compile` or `torch.export`."
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if api == "script":
            torch.jit.script(layer)
        else:
            torch.jit.trace(layer, torch.randn(1, 3))
    assert any(w.category is FutureWarning and str(w.message) == message for w in caught)
