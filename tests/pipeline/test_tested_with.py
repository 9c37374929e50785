"""The tested-with stamps come from test runs and match the stack the tests run on."""

from types import SimpleNamespace

import pytest
import tested_with
import torch
import torchvision
from snippet_runner import TESTS

QUESTIONS = sorted(p.name for p in TESTS.glob("q*_*") if p.is_dir())


@pytest.mark.parametrize("question", QUESTIONS)
def test_each_question_has_a_cpu_record_from_this_stack(question):
    record = tested_with.load().get(question, {}).get("cpu")
    fix = "record it: nox -s tests -- --update-outputs"
    assert record is not None, f"{question} has no CPU test record; {fix}"
    assert record["torch"] == torch.__version__.split("+")[0], fix
    assert record["torchvision"] == torchvision.__version__.split("+")[0], fix
    assert record["device"] == "CPU"


def _report(nodeid, outcome, when="call"):
    return SimpleNamespace(nodeid=nodeid, outcome=outcome, when=when)


def _item(question, name):
    return SimpleNamespace(path=TESTS / question / name)


def test_only_questions_that_fully_ran_and_passed_are_stamped():
    question = QUESTIONS[0]
    files = sorted(p.name for p in (TESTS / question).glob("test_*.py"))
    full, partial, failing = tested_with.Recorder(), tested_with.Recorder(), tested_with.Recorder()
    for recorder in (full, failing):
        recorder.collection([_item(question, name) for name in files])
    partial.collection([_item(question, files[0])])
    for recorder in (full, partial, failing):
        for name in files:
            recorder.report(_report(f"tests/{question}/{name}::test_x", "passed"))
    failing.report(_report(f"tests/{question}/{files[-1]}::test_y", "failed", when="teardown"))
    assert list(full.passed("cpu")) == [question]
    assert list(partial.passed("cpu")) == ([question] if len(files) == 1 else [])
    assert list(failing.passed("cpu")) == []
    full.deselect([_item(question, files[0])])
    assert list(full.passed("cpu")) == []
