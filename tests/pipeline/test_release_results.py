"""The per-snippet results that `nox -s releases` records: how a run's reports become results."""

import json
from datetime import date
from types import SimpleNamespace

import pytest
import release_results
import snippet_runner
import torch
from release_results import Results, classify, error_line, scrub, snippet_key
from snippet_runner import ROOT, SnippetError, check_output

TEST = "tests/q12_gpu/test_choose_device.py"


def test_snippet_keys_name_the_snippet_a_test_module_mirrors():
    assert snippet_key(TEST) == "q12_gpu/choose_device"
    assert snippet_key("snippets/q12_gpu/choose_device.py") == "q12_gpu/choose_device"
    assert snippet_key("tests/q17_transfer_learning/stand_ins.py") is None
    assert snippet_key("tests/pipeline/test_release_results.py") is None
    assert "q12_gpu/choose_device" in release_results.all_snippets()


@pytest.mark.parametrize(
    ("error", "result", "library"),
    [
        ("ModuleNotFoundError: No module named 'lightning'", "needs-library", "lightning"),
        (
            "ImportError: cannot import name 'Int8WeightOnlyConfig' from 'torchao.quantization'",
            "needs-library",
            "torchao",
        ),
        ("AttributeError: module 'onnxscript.ir' has no attribute 'x'", "needs-library", None),
        # The release itself lacks it: the snippet fails on that release.
        ("AttributeError: module 'torch' has no attribute 'accelerator'", "failed", None),
        ("ImportError: cannot import name 'v2' from 'torchvision.transforms'", "failed", None),
        ("ModuleNotFoundError: No module named 'tomllib'", "failed", None),
        ("AssertionError: assert 0.5 > 0.9", "failed", None),
        # The suite's own run fails when the output differs: the same result as a release run's.
        ("snippets/q/x.py no longer prints what the page shows. If", "output-differs", None),
    ],
)
def test_a_missing_name_in_a_companion_library_is_a_library_need(error, result, library):
    entry = classify(error)
    assert entry["result"] == result
    assert entry["error"] == error
    if library:
        assert entry["library"] == library
        assert entry["installed"] == release_results.installed(library)


def test_error_lines_carry_no_machine_paths():
    line = (
        "ImportError: cannot import name 'X' from 'torchao.quantization' "
        "(/work/x/.nox/releases-2-4-1/lib/python3.11/site-packages/torchao/quantization/__init__.py)"
    )
    assert scrub(line) == "ImportError: cannot import name 'X' from 'torchao.quantization'"
    assert scrub(f"FileNotFoundError: '{ROOT}/snippets/q15_save_load/x.pt'") == (
        "FileNotFoundError: 'snippets/q15_save_load/x.pt'"
    )
    assert scrub("No such file: '/tmp/pytest-of-root/pytest-3/w0/model.pt'") == (
        "No such file: 'model.pt'"
    )
    assert scrub("3/4 of the batches, ratio 1/2") == "3/4 of the batches, ratio 1/2"
    url = "(See https://github.com/pytorch/pytorch/blob/main/SECURITY.md for more)"
    assert scrub(url) == url


def test_the_error_line_is_the_exception_of_a_snippet_or_a_collection_error():
    crash = SimpleNamespace(
        reprcrash=SimpleNamespace(
            message="snippet_runner.SnippetError: snippets/q12_gpu/choose_device.py:9: "
            "AttributeError: module 'torch' has no attribute 'accelerator'\nmore"
        )
    )
    assert error_line(crash) == (
        "snippets/q12_gpu/choose_device.py:9: "
        "AttributeError: module 'torch' has no attribute 'accelerator'"
    )
    torchrun = SimpleNamespace(
        reprcrash=SimpleNamespace(
            message="snippets/q16_data_parallel/ddp_train.py:37: exited with status 1: =====\n"
            "Traceback (most recent call last):\n  File ...\n"
            "TypeError: init_process_group() got an unexpected keyword argument 'device_id'\n"
            "torch.distributed.elastic.multiprocessing.errors.ChildFailedError: \n====="
        )
    )
    assert error_line(torchrun) == (
        "snippets/q16_data_parallel/ddp_train.py:37: "
        "TypeError: init_process_group() got an unexpected keyword argument 'device_id'"
    )
    collection = (
        "ImportError while importing test module '/x/tests/q13_lightning/test_fabric_loop.py'.\n"
        "Traceback:\n  ...\nE   ModuleNotFoundError: No module named 'lightning'"
    )
    assert error_line(collection) == "ModuleNotFoundError: No module named 'lightning'"


def _report(nodeid, when, outcome, longrepr=None):
    return SimpleNamespace(
        nodeid=nodeid,
        when=when,
        outcome=outcome,
        passed=outcome == "passed",
        failed=outcome == "failed",
        longrepr=longrepr,
    )


def _items(*nodeids):
    return [SimpleNamespace(path=ROOT / n.split("::")[0], nodeid=n) for n in nodeids]


def _run(results, outcomes):
    """Feed `results` the reports of one run: {nodeid: (setup, call) outcomes}."""
    results.pytest_collection_finish(SimpleNamespace(items=_items(*outcomes)))
    for nodeid, (setup, call, longrepr) in outcomes.items():
        results.pytest_runtest_logreport(_report(nodeid, "setup", setup, longrepr))
        if call:
            results.pytest_runtest_logreport(_report(nodeid, "call", call, longrepr))
        results.pytest_runtest_logreport(_report(nodeid, "teardown", "passed"))


def test_results_per_snippet_from_a_run():
    results = Results()
    missing = "snippet_runner.SnippetError: snippets/q12_gpu/choose_device.py:9: AttributeError: x"
    crash = SimpleNamespace(reprcrash=SimpleNamespace(message=missing))
    _run(
        results,
        {
            f"{TEST}::test_a": ("failed", None, crash),
            f"{TEST}::test_b": ("failed", None, crash),
            "tests/q11_backprop/test_training_loop.py::test_a": ("passed", "passed", None),
            "tests/q11_backprop/test_chain_rule_by_hand.py::test_a": ("passed", "passed", None),
        },
    )
    results.output_differs(
        ROOT / "snippets/q11_backprop/chain_rule_by_hand.py", "loss: 9.0\nend\n", "loss: 8.0\nend\n"
    )
    results.pytest_collectreport(
        SimpleNamespace(
            nodeid="tests/q13_lightning/test_fabric_loop.py",
            failed=True,
            longrepr="E   ModuleNotFoundError: No module named 'lightning'",
        )
    )
    found = results.results()
    assert found["q12_gpu/choose_device"] == {
        "result": "failed",
        "error": "AttributeError: x",
        "where": "snippets/q12_gpu/choose_device.py:9",
    }
    assert found["q11_backprop/training_loop"] == {"result": "passed"}
    difference = found["q11_backprop/chain_rule_by_hand"]
    assert difference["result"] == "output-differs"
    assert (difference["recorded"], difference["printed"]) == ("loss: 9.0", "loss: 8.0")
    assert found["q13_lightning/fabric_loop"]["result"] == "needs-library"
    assert found["q13_lightning/fabric_loop"]["library"] == "lightning"


def test_a_snippet_whose_tests_did_not_all_run_has_no_result():
    results = Results()
    nodeids = [f"{TEST}::test_a", f"{TEST}::test_b"]
    results.pytest_collection_finish(SimpleNamespace(items=_items(*nodeids)))
    results.pytest_runtest_logreport(_report(nodeids[0], "call", "passed"))
    results.pytest_runtest_logreport(_report(nodeids[0], "teardown", "passed"))
    assert results.results() == {}  # test_b never ran (-x, a crash)
    deselected = Results()
    deselected.pytest_deselected(_items(nodeids[1]))
    _run(deselected, {nodeids[0]: ("passed", "passed", None)})
    assert deselected.results() == {}  # -k left test_b out


def test_output_differences_fail_unless_a_release_run_reports_them(tmp_path, monkeypatch):
    snippet = tmp_path / "x.py"
    snippet.write_text("print('new')\n")
    (tmp_path / "x.out").write_text("old\n")
    with pytest.raises(SnippetError, match=release_results.OUTPUT_CHANGED):
        check_output(snippet, "new\n", "cpu")
    seen = []
    monkeypatch.setattr(snippet_runner, "on_output_difference", lambda *a: seen.append(a))
    check_output(snippet, "new\n", "cpu")
    assert seen == [(snippet, "old\n", "new\n")]


def test_the_results_file_keeps_other_releases_and_one_line_per_snippet(tmp_path, monkeypatch):
    path = tmp_path / "tested-releases.json"
    other = {"torch": "2.4.1", "snippets": {"q11_backprop/training_loop": {"result": "failed"}}}
    path.write_text(json.dumps({"99.0.0": other | {"torch": "99.0.0"}, "2.4.1": other}))
    monkeypatch.setenv("RELEASE_INSTALL", '{"seconds": 7}')
    results = Results(path)
    _run(results, {"tests/q11_backprop/test_training_loop.py::test_a": ("passed", "passed", None)})
    results.write(path)
    data = json.loads(path.read_text())
    assert list(data) == sorted(data, key=release_results.release_key)
    assert list(data)[-1] == "99.0.0"
    mine = data[torch.__version__.split("+")[0]]
    assert mine["snippets"] == {"q11_backprop/training_loop": {"result": "passed"}}
    assert mine["install"] == {"seconds": 7}
    assert mine["summary"]["passed"] == 1
    assert data["2.4.1"] == other
    assert '"q11_backprop/training_loop": {"result": "passed"}' in path.read_text()


def test_a_release_run_records_deprecation_warnings_instead_of_failing(tmp_path):
    snippet = tmp_path / "warns.py"
    snippet.write_text(
        "import warnings\n"
        "warnings.warn('old default', FutureWarning)\n"
        "warnings.warn('old default', FutureWarning)\n"
        "warnings.warn('not a deprecation', UserWarning)\n"
        "warnings.warn('long ' * 100, DeprecationWarning)\n"
    )
    with pytest.raises(SnippetError, match="FutureWarning: old default"):
        snippet_runner.run_in_process(snippet, tmp_path)
    results = Results(tmp_path / "out.json")
    results.pytest_configure(SimpleNamespace(addinivalue_line=lambda *a: None))
    try:
        snippet_runner.run_in_process(snippet, tmp_path)
    finally:
        results.pytest_unconfigure(None)
    assert snippet_runner.on_deprecation_warning is None
    assert snippet_runner.on_output_difference is None
    key = snippet_key(snippet)  # not a snippet of ours: recorded under None
    old, long = results.snippets[key].warnings
    assert old == "FutureWarning: old default"
    assert long.startswith("DeprecationWarning: long long")
    assert len(long) == release_results.WARNING_LENGTH


def test_a_run_of_some_snippets_updates_only_their_entries(tmp_path):
    path = tmp_path / "tested-releases.json"
    release = torch.__version__.split("+")[0]
    everything = {key: {"result": "failed", "error": "x"} for key in release_results.all_snippets()}
    kept = {"torch": release, "date": "2026-01-01", "summary": {}, "snippets": everything}
    path.write_text(json.dumps({release: kept}))
    results = Results(path)
    _run(results, {"tests/q11_backprop/test_training_loop.py::test_a": ("passed", "passed", None)})
    results.write(path)
    record = json.loads(path.read_text())[release]
    assert record["date"] == "2026-01-01"
    assert record["snippets"]["q11_backprop/training_loop"]["result"] == "passed"
    assert record["snippets"]["q11_backprop/training_loop"]["date"] == str(date.today())
    assert record["snippets"]["q12_gpu/choose_device"] == {"result": "failed", "error": "x"}
    assert record["summary"]["passed"] == 1
    assert record["summary"]["failed"] == len(everything) - 1
