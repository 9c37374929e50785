"""The tested-with stamp on each Q&A page: versions, device and date of the last passing run.

A run that records outputs (`--update-outputs`) also records, for every question whose snippet
tests all ran in that run and none failed, what they passed on: date, torch, torchvision,
Python, and the device (CPU, or the GPU's name and CUDA version). docs/hooks/tested_with.py shows
it on the page. Nothing here is typed by hand.
"""

import json
import platform
from collections import defaultdict
from datetime import date
from pathlib import Path

from snippet_runner import ROOT, TESTS

STAMPS = ROOT / "docs" / "tested-with.json"


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
        stamp |= {"device": torch.cuda.get_device_name(0), "cuda": torch.version.cuda}
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


class Recorder:
    def __init__(self):
        self.collected = defaultdict(set)
        self.outcomes = defaultdict(set)
        self.deselected = set()

    def collection(self, items):
        for item in items:
            question = question_of(item.path)
            if question:
                self.collected[question].add(item.path.name)

    def deselect(self, items):
        self.deselected |= {q for q in (question_of(item.path) for item in items) if q}

    def report(self, report):
        question = question_of(ROOT / report.nodeid.split("::")[0])
        if question and (report.when == "call" or report.outcome == "failed"):
            self.outcomes[question].add(report.outcome)

    def passed(self, device):
        """Questions whose tests all ran in this session with no failure.

        On CUDA, "all" means the tests marked gpu (`-m gpu` deselects the others).
        """
        for question, outcomes in sorted(self.outcomes.items()):
            files = {p.name for p in (TESTS / question).glob("test_*.py")}
            complete = device == "cuda" or (
                self.collected[question] == files and question not in self.deselected
            )
            if complete and "failed" not in outcomes and "passed" in outcomes:
                yield question

    def write(self, device):
        stamps = load()
        for question in self.passed(device):
            stamps.setdefault(question, {})[device] = environment(device)
        text = json.dumps(dict(sorted(stamps.items())), indent=2, ensure_ascii=False) + "\n"
        STAMPS.write_text(text, encoding="utf-8")
