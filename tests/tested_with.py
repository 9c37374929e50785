"""The tested-with stamp on each Q&A page: versions, device and date of the last passing run.

A run that records outputs (`--update-outputs`) also records, for every question whose tests all
ran in that run and none failed, what they passed on: date, torch, torchvision, Python, and the
device (CPU, or the GPU's name and CUDA version). docs/hooks/tested_with.py shows it on the page.
Nothing here is typed by hand.

"All ran" is checked per test, not per file: every test of the question that was collected
reported a result (an interrupted run, or one stopped by -x, stamps nothing it did not finish),
none was deselected (-k), and every test file of the question was collected. On CUDA the
question's tests are its gpu tests (snippets/snippets.toml; `-m gpu` deselects the others), and
the record also lists the test modules and the `.cuda.out` recordings it covers, with a digest
(docs/hooks/gpu_records.py), so that a record that no GPU run wrote cannot pass for one.
"""

import json
import os
import platform
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import gpu_records
import snippet_needs
from snippet_runner import ROOT, TESTS

STAMPS = ROOT / gpu_records.STAMPS
# The GPU command sets it so that its stamp and its speed measurements name the same run.
RUN_ID = "GPU_RUN_ID"


def environment(device):
    import torch
    import torchvision

    stamp = {
        "date": date.today().isoformat(),
        "torch": torch.__version__.split("+")[0],
        "torchvision": torchvision.__version__.split("+")[0],
        "python": platform.python_version(),
    }
    if device == "cuda":
        stamp |= {
            "device": torch.cuda.get_device_name(0),
            "cuda": torch.version.cuda,
            "run": os.environ.get(RUN_ID) or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    else:
        stamp["device"] = "CPU"
    return stamp


def load():
    return json.loads(STAMPS.read_text(encoding="utf-8")) if STAMPS.exists() else {}


def question_of(path):
    """tests/q11_backprop/test_x.py -> "q11_backprop"; None for tests that are not a question's."""
    path = Path(path).resolve()
    if path.parent.parent == TESTS and path.parent.name.startswith("q"):
        return path.parent.name
    return None


def _is_gpu(item):
    return item.get_closest_marker("gpu") is not None


class Recorder:
    def __init__(self, declared=None):
        self.declared = snippet_needs.load() if declared is None else declared
        self.collected = defaultdict(dict)  # question -> {nodeid: (file name, gpu)}
        self.deselected = defaultdict(dict)  # question -> {nodeid: gpu}
        self.reported = defaultdict(set)  # question -> nodeids that reported a result
        self.failed = set()
        self.passed_calls = set()

    def collection(self, items):
        """What will run (pytest_collection_finish: after -m and -k deselection)."""
        for item in items:
            if question := question_of(item.path):
                self.collected[question][item.nodeid] = (item.path.name, _is_gpu(item))

    def deselect(self, items):
        for item in items:
            if question := question_of(item.path):
                self.deselected[question][item.nodeid] = _is_gpu(item)

    def report(self, report):
        question = question_of(ROOT / report.nodeid.split("::")[0])
        if not question:
            return
        if report.failed:
            self.failed.add(question)
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.reported[question].add(report.nodeid)
        if report.when == "call" and report.passed:
            self.passed_calls.add(question)

    def _files(self, question):
        return {p.name for p in (TESTS / question).glob("test_*.py")}

    def complete(self, question, device):
        """Whether every test this device owes the question ran (see the module docstring)."""
        collected = self.collected[question]
        if not collected or set(collected) - self.reported[question]:
            return False
        files = {name for name, _ in collected.values()}
        if device == "cpu":
            return not self.deselected[question] and files == self._files(question)
        gpu_files = {n.test_path.name for n in gpu_records.gpu_snippets(question, self.declared)}
        return (
            bool(gpu_files)
            and not any(self.deselected[question].values())
            and all(gpu for _, gpu in collected.values())
            and files == gpu_files
        )

    def passed(self, device):
        """Questions whose tests all ran in this session with no failure."""
        for question in sorted(self.collected):
            if (
                question not in self.failed
                and question in self.passed_calls
                and self.complete(question, device)
            ):
                yield question

    def write(self, device, interrupted=False, path=STAMPS, root=ROOT):
        if interrupted:
            print("\ntested-with stamp: not written, the run was interrupted")
            return []
        stamps = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        environment_now = environment(device) if list(self.passed(device)) else None
        stamped = []
        for question in self.passed(device):
            record = dict(environment_now)
            if device == "cuda":
                record = gpu_records.stamp_record(question, record, self.declared, root)
            stamps.setdefault(question, {})[device] = record
            stamped.append(question)
        text = json.dumps(dict(sorted(stamps.items())), indent=2, ensure_ascii=False) + "\n"
        path.write_text(text, encoding="utf-8")
        return stamped
