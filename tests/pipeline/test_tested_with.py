"""The tested-with stamps come from complete test runs and match the stack and the recordings.

The faults each guard exists for are planted here: a -k run, an interrupted run and a failing
test must stamp nothing; a GPU record written or edited by hand, one without its `.cuda.out`
recordings, or with recordings changed since, must fail the check and stay off the page.
"""

import importlib.util
import json
import logging
import shutil
from types import SimpleNamespace

import gpu_records
import pytest
import snippet_needs
import tested_with
import torch
import torchvision
from snippet_runner import ROOT, TESTS

QUESTIONS = sorted(p.name for p in TESTS.glob("q*_*") if p.is_dir())
DECLARED = snippet_needs.load()
GPU_QUESTION = "q12_gpu"  # a question whose snippets are all gpu ones, and all print


@pytest.mark.parametrize("question", QUESTIONS)
def test_each_question_has_a_cpu_record_from_this_stack(question):
    record = tested_with.load().get(question, {}).get("cpu")
    fix = "record it: python3 -m nox -s tests -- --update-outputs"
    assert record is not None, f"{question} has no CPU test record; {fix}"
    assert record["torch"] == torch.__version__.split("+")[0], fix
    assert record["torchvision"] == torchvision.__version__.split("+")[0], fix
    assert record["device"] == "CPU"


def test_gpu_records_are_what_the_gpu_command_wrote():
    stamps = tested_with.load()
    found = [
        problem
        for question, record in stamps.items()
        if "cuda" in record
        for problem in gpu_records.problems(question, record["cuda"], DECLARED, ROOT)
    ]
    assert found == []
    assert gpu_records.orphan_recordings(stamps, DECLARED, ROOT) == [], (
        "GPU recordings that no GPU stamp covers: record them with python3 .ci/gpu.py"
    )
    speed = gpu_records.load_json(ROOT / gpu_records.SPEED)
    assert gpu_records.speed_problems(speed, stamps, DECLARED) == []


# ---------------------------------------------------------------------------------------------
# Which questions a run may stamp


def _item(question, name, test="test_x", gpu=False):
    path = TESTS / question / name
    marker = SimpleNamespace(name="gpu") if gpu else None
    return SimpleNamespace(
        path=path,
        nodeid=f"tests/{question}/{name}::{test}",
        get_closest_marker=lambda mark: marker if mark == "gpu" else None,
    )


def _report(item, outcome="passed", when="call"):
    return SimpleNamespace(
        nodeid=item.nodeid,
        when=when,
        outcome=outcome,
        passed=outcome == "passed",
        failed=outcome == "failed",
    )


def _run(items, ran=None, failed=(), deselected=()):
    """A Recorder that saw `items` collected, `deselected` deselected, and `ran` report."""
    recorder = tested_with.Recorder(DECLARED)
    recorder.deselect(deselected)
    recorder.collection(items)
    for item in items if ran is None else ran:
        recorder.report(_report(item, "failed" if item in failed else "passed"))
    return recorder


def _cpu_items(question):
    return [_item(question, p.name) for p in sorted((TESTS / question).glob("test_*.py"))]


def _gpu_items(question, tests=("test_a", "test_b")):
    return [
        _item(question, needs.test_path.name, test, gpu=True)
        for needs in gpu_records.gpu_snippets(question, DECLARED)
        for test in tests
    ]


def test_a_complete_passing_run_stamps_its_question():
    question = QUESTIONS[0]
    assert list(_run(_cpu_items(question)).passed("cpu")) == [question]
    assert list(_run(_gpu_items(GPU_QUESTION)).passed("cuda")) == [GPU_QUESTION]


def test_a_failing_test_stamps_nothing():
    items = _cpu_items(QUESTIONS[0])
    assert list(_run(items, failed=items[-1:]).passed("cpu")) == []
    recorder = _run(items)
    recorder.report(_report(items[0], "failed", when="teardown"))
    assert list(recorder.passed("cpu")) == []


def test_a_run_of_some_files_or_some_tests_stamps_nothing():
    question = QUESTIONS[0]
    items = _cpu_items(question)
    assert len(items) > 1
    assert list(_run(items[:1]).passed("cpu")) == []  # one file of the question
    assert list(_run(items[1:], deselected=items[:1]).passed("cpu")) == []  # -k


def test_a_k_run_on_cuda_stamps_nothing():
    items = _gpu_items(GPU_QUESTION)
    # -k keeps one test per module: the others are deselected.
    kept, dropped = items[::2], items[1::2]
    assert list(_run(kept, deselected=dropped).passed("cuda")) == []
    # -k keeps whole modules, but not all of the question's gpu modules.
    some = [item for item in items if item.path.name == items[0].path.name]
    rest = [item for item in items if item not in some]
    assert list(_run(some, deselected=rest).passed("cuda")) == []
    # -m gpu deselects only tests that are not gpu ones: that is the complete GPU run.
    cpu_only = [_item(GPU_QUESTION, "test_elsewhere.py")]
    assert list(_run(items, deselected=cpu_only).passed("cuda")) == [GPU_QUESTION]


def test_an_interrupted_run_stamps_nothing(tmp_path):
    items = _gpu_items(GPU_QUESTION)
    half = _run(items, ran=items[: len(items) // 2])  # Ctrl-C, -x or a crash half-way
    assert list(half.passed("cuda")) == []
    stamps = tmp_path / "tested-with.json"
    stamps.write_text("{}\n")
    assert _run(_cpu_items(QUESTIONS[0])).write("cpu", interrupted=True, path=stamps) == []
    assert stamps.read_text() == "{}\n"


# ---------------------------------------------------------------------------------------------
# What a GPU record must be (docs/hooks/gpu_records.py)


@pytest.fixture
def gpu_checkout(tmp_path):
    """A copy of one question's snippets, with its GPU recordings, as a GPU run leaves them."""
    shutil.copytree(ROOT / "snippets" / GPU_QUESTION, tmp_path / "snippets" / GPU_QUESTION)
    for needs in gpu_records.gpu_snippets(GPU_QUESTION, DECLARED):
        gpu_records.cuda_output(needs, tmp_path).write_text(f"{needs.include} on cuda\n")
    return tmp_path


ENVIRONMENT = {
    "date": "2026-12-01",
    "run": "2026-12-01T10:00:00Z",
    "device": "NVIDIA H200",
    "cuda": "12.8",
    "torch": "2.11.0",
    "torchvision": "0.26.0",
    "python": "3.12.3",
}


def _written(root):
    return gpu_records.stamp_record(GPU_QUESTION, ENVIRONMENT, DECLARED, root)


def test_a_record_the_gpu_command_wrote_passes(gpu_checkout):
    record = _written(gpu_checkout)
    assert record["tests"] == sorted(p.name for p in (TESTS / GPU_QUESTION).glob("test_*.py"))
    assert len(record["outputs"]) == len(record["tests"])
    assert gpu_records.problems(GPU_QUESTION, record, DECLARED, gpu_checkout) == []


def test_a_hand_written_record_fails(gpu_checkout):
    by_hand = {key: ENVIRONMENT[key] for key in ("date", "device", "cuda", "torch")}
    by_hand |= {"torchvision": "0.29.1", "python": "3.11.7"}
    assert "lacks" in "".join(gpu_records.problems(GPU_QUESTION, by_hand, DECLARED, gpu_checkout))


def test_a_record_with_another_version_typed_in_fails(gpu_checkout):
    record = _written(gpu_checkout) | {"torch": "2.14.1"}
    assert "digest" in "".join(gpu_records.problems(GPU_QUESTION, record, DECLARED, gpu_checkout))


def test_a_record_with_no_recordings_behind_it_fails(gpu_checkout, tmp_path_factory):
    record = _written(gpu_checkout)
    bare = tmp_path_factory.mktemp("bare")  # the same snippets, no .cuda.out
    shutil.copytree(ROOT / "snippets" / GPU_QUESTION, bare / "snippets" / GPU_QUESTION)
    found = gpu_records.problems(GPU_QUESTION, record, DECLARED, bare)
    assert any("does not exist" in p for p in found), found
    # Written where there were none: every printing gpu snippet needs its recording.
    empty = _written(bare)
    found = gpu_records.problems(GPU_QUESTION, empty, DECLARED, bare)
    assert any("is missing (it prints on CPU)" in p for p in found), found


def test_a_recording_changed_after_the_stamp_fails(gpu_checkout):
    record = _written(gpu_checkout)
    name = next(iter(record["outputs"]))
    (gpu_checkout / "snippets" / name).write_text("edited\n")
    found = gpu_records.problems(GPU_QUESTION, record, DECLARED, gpu_checkout)
    assert any("changed since it was recorded" in p for p in found), found


def test_a_record_of_some_gpu_tests_fails(gpu_checkout):
    record = _written(gpu_checkout)
    record["tests"] = record["tests"][:1]
    record["digest"] = gpu_records.digest(record)
    found = gpu_records.problems(GPU_QUESTION, record, DECLARED, gpu_checkout)
    assert any("needs all of them" in p for p in found), found


def test_speed_data_from_another_run_than_the_stamp_fails(gpu_checkout):
    stamps = {GPU_QUESTION: {"cuda": _written(gpu_checkout)}}
    include = next(i for i, n in DECLARED.items() if n.gpu_speed and i.startswith(GPU_QUESTION))
    entry = dict(ENVIRONMENT, runs=5, warmup=1, source=f"snippets/{include}")
    entry["rows"] = [{"label": "cuda", "value": 0.061, "unit": "ms", "values": [0.061]}]
    assert gpu_records.speed_problems({include: entry}, stamps, DECLARED) == []
    later = entry | {"run": "2026-12-02T09:00:00Z"}
    assert "run" in "".join(gpu_records.speed_problems({include: later}, stamps, DECLARED))


def _hook():
    spec = importlib.util.spec_from_file_location(
        "hook_tested_with", ROOT / "docs" / "hooks" / "tested_with.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_page_shows_no_gpu_line_for_a_record_that_fails(tmp_path, caplog):
    """A hand-written record (no recordings, another torch) used to show "On GPU: ... H100"."""
    stamps = json.loads((ROOT / "docs" / "tested-with.json").read_text(encoding="utf-8"))
    by_hand = dict(ENVIRONMENT, device="NVIDIA H100", torch="2.9.0")
    stamps[GPU_QUESTION]["cuda"] = by_hand
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "tested-with.json").write_text(json.dumps(stamps))
    config = {"config_file_path": str(tmp_path / "mkdocs.yml"), "theme": {"language": "en"}}
    config = SimpleNamespace(**config)
    page = SimpleNamespace(file=SimpleNamespace(src_uri="en/q12-gpu.md"))
    with caplog.at_level(logging.WARNING):
        shown = _hook().on_page_markdown("# Title\n\ntext\n", page, config, files=None)
    assert "H100" not in shown
    assert "On GPU: no run recorded yet." in shown
    assert any("lacks" in r.getMessage() for r in caplog.records), caplog.text
