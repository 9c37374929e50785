"""What each snippet's tests did in this run, for the release matrix and for its guard.

Every run of the suite records, per snippet (all the tests of `tests/qNN_topic/test_name.py`):

- ``passed``: its tests ran and passed;
- ``output-differs``: its tests passed but it printed something else than the output recorded
  next to it (only in a release run: the recordings are made on the pinned release, so another
  release is compared with them and the difference reported, not failed);
- ``needs-library``: it or its test imports a library other than torch and torchvision that is
  missing, or that lacks a name it imports (the library that goes with an old release is older);
- ``failed``: anything else, with the first error line;
- ``skipped``: every test skipped (none does on CPU today).

In a release run an entry also lists the DeprecationWarning and FutureWarning lines the snippet
itself raised: there they are recorded, not errors (an older release's warning about a default
that the pinned release has since changed is no failure of the snippet there).

With ``RELEASE_RESULTS=<path>`` (``nox -s releases`` sets it to docs/tested-releases.json)
output differences are reported instead of failing, and at the end of the run the results go
into that JSON file under the torch release, with the date, the versions of the stack and the
install and run times; the other releases' entries stay as they were.
``tests/site/test_releases.py`` checks that the entry of the pinned release agrees with what the
suite finds now.
"""

import difflib
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
import snippet_runner
from snippet_runner import ROOT, SNIPPETS, TESTS

NAME = "release_results"
RESULTS = ("passed", "output-differs", "needs-library", "failed", "skipped")
# The release itself: a name missing from these is the release's, not a companion library's.
RELEASE_PACKAGES = {"torch", "torchvision"}
# The distributions recorded with each release's results.
STACK = (
    "torch",
    "torchvision",
    "torchao",
    "lightning",
    "torchmetrics",
    "onnx",
    "onnxscript",
    "onnxruntime",
    "safetensors",
    "h5py",
    "numpy",
    "pillow",
)
AFTER_SNIPPETS = "after_snippets"
WARNING_LENGTH = 200
# How snippet_runner.check_output says that a snippet's output is not the recorded one.
OUTPUT_CHANGED = "no longer prints what the page shows"


def _hook():
    """docs/hooks/tested_releases.py, which reads the results file, also writes its layout."""
    path = ROOT / "docs" / "hooks" / "tested_releases.py"
    spec = importlib.util.spec_from_file_location("docs_hooks_tested_releases", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOOK = _hook()

MISSING = [
    re.compile(r"\bModuleNotFoundError: No module named '(?P<module>[\w.]+)'"),
    re.compile(r"\bImportError: cannot import name '\w+' from '(?P<module>[\w.]+)'"),
    re.compile(r"\bAttributeError: module '(?P<module>[\w.]+)' has no attribute '\w+'"),
]


def snippet_key(path):
    """tests/q12_gpu/test_choose_device.py or snippets/q12_gpu/choose_device.py ->
    "q12_gpu/choose_device"; None for a file that is neither."""
    path = (ROOT / path).resolve()
    if path.parent.parent == TESTS and path.parent.name.startswith("q"):
        if path.name.startswith("test_") and path.suffix == ".py":
            return f"{path.parent.name}/{path.stem.removeprefix('test_')}"
        return None
    if path.parent.parent == SNIPPETS and path.suffix == ".py":
        return f"{path.parent.name}/{path.stem}"
    return None


def all_snippets():
    return sorted(snippet_key(p) for p in SNIPPETS.glob("q*/*.py"))


def scrub(text):
    """An error line without this machine's paths: same text wherever it ran."""
    text = re.sub(r" \((?:/|[A-Za-z]:\\)[^)]*\)", "", text)
    text = text.replace(f"{ROOT.as_posix()}/", "")
    return re.sub(r"(?<![\w.:/])(?:/[\w.+-]+)+/([\w.+-]+)", r"\1", text).strip()


EXCEPTION = re.compile(r"^(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception)(?::\s.*)?$")


def error_line(longrepr):
    """The line that says what went wrong, from a failed report's longrepr."""
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None and crash.message:
        lines = crash.message.strip().splitlines()
        line = lines[0]
        where, _, status = line.partition(": exited with status ")
        if status and not EXCEPTION.match(status.partition(": ")[2]):
            # A snippet run as a subprocess (torchrun): the first exception in its stderr.
            found = [x.strip() for x in lines[1:] if EXCEPTION.match(x.strip())]
            line = f"{where}: {found[0]}" if found else line
    else:
        lines = [x[1:].strip() for x in str(longrepr).splitlines() if x.startswith("E ")]
        line = lines[-1] if lines else str(longrepr).strip().splitlines()[-1]
    return scrub(line.removeprefix(f"{snippet_runner.SnippetError.__module__}.SnippetError: "))


def split_where(line):
    """("snippets/q12_gpu/x.py:9", "AttributeError: ...") from a snippet runner's message."""
    match = re.match(r"(?P<where>snippets/\S+?\.py(?::\d+)?): (?P<error>.*)$", line)
    return (match["where"], match["error"]) if match else (None, line)


def installed(distribution):
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _distribution_of(module):
    names = importlib.metadata.packages_distributions().get(module, [])
    return names[0] if names else module


def missing_library(error):
    """The top-level name of a companion library the error says is missing something, or None."""
    for pattern in MISSING:
        if match := pattern.search(error):
            library = match["module"].split(".")[0]
            if library in RELEASE_PACKAGES or library in sys.stdlib_module_names:
                return None
            return library
    return None


def classify(error, where=None):
    """The entry for a snippet whose tests failed with `error` (one line)."""
    entry = {"result": "failed", "error": error}
    if where:
        entry["where"] = where
    if library := missing_library(error):
        distribution = _distribution_of(library)
        entry |= {"result": "needs-library", "library": distribution}
        entry["installed"] = installed(distribution)
    elif OUTPUT_CHANGED in error:
        # The suite's own runs fail on this; a release run reports it (output_differs).
        entry["result"] = "output-differs"
    return entry


def first_difference(recorded, printed):
    """The first line that differs: (what the recording has, what was printed), "" for none."""
    recorded, printed = recorded.splitlines(), printed.splitlines()
    for index in range(max(len(recorded), len(printed))):
        old = recorded[index] if index < len(recorded) else ""
        new = printed[index] if index < len(printed) else ""
        if old != new:
            return old, new
    return "", ""


@dataclass
class SnippetTests:
    collected: set = field(default_factory=set)
    finished: set = field(default_factory=set)
    passed: int = 0
    deselected: bool = False
    failure: dict = None
    difference: dict = None
    warnings: list = field(default_factory=list)


class Results:
    """The pytest plugin (tests/conftest.py registers it as "release_results")."""

    def __init__(self, output=None):
        self.output = Path(output) if output else None
        self.snippets = defaultdict(SnippetTests)
        self.started = time.perf_counter()

    # -- pytest hooks ---------------------------------------------------------------------------

    def pytest_configure(self, config):
        config.addinivalue_line(
            "markers", f"{AFTER_SNIPPETS}: runs after every snippet test (it checks their results)"
        )
        if self.output:
            snippet_runner.on_output_difference = self.output_differs
            snippet_runner.on_deprecation_warning = self.warned

    def pytest_unconfigure(self, config):
        if snippet_runner.on_output_difference == self.output_differs:
            snippet_runner.on_output_difference = None
            snippet_runner.on_deprecation_warning = None

    def pytest_collection_modifyitems(self, items):
        late = [item for item in items if item.get_closest_marker(AFTER_SNIPPETS)]
        items[:] = [item for item in items if item not in late] + late

    def pytest_collectreport(self, report):
        key = snippet_key(report.nodeid.split("::")[0]) if report.nodeid else None
        if key and report.failed:
            self.snippets[key].failure = classify(error_line(report.longrepr))

    def pytest_deselected(self, items):
        for item in items:
            if key := snippet_key(item.path):
                self.snippets[key].deselected = True

    def pytest_collection_finish(self, session):
        for item in session.items:
            if key := snippet_key(item.path):
                self.snippets[key].collected.add(item.nodeid)

    def pytest_runtest_logreport(self, report):
        key = snippet_key(report.nodeid.split("::")[0])
        if key is None:
            return
        tests = self.snippets[key]
        if report.failed and tests.failure is None:
            where, error = split_where(error_line(report.longrepr))
            tests.failure = classify(error, where or report.nodeid)
        if report.when == "call" and report.passed:
            tests.passed += 1
        if report.when == "teardown":
            tests.finished.add(report.nodeid)

    @pytest.hookimpl(trylast=True)  # after the session fixtures' teardown checks
    def pytest_sessionfinish(self, session):
        if self.output:
            self.write(self.output)

    # -- results --------------------------------------------------------------------------------

    def output_differs(self, path, recorded, printed):
        old, new = first_difference(recorded, printed)
        diff = difflib.unified_diff(
            recorded.splitlines(), printed.splitlines(), "recorded", "printed", lineterm="", n=1
        )
        self.snippets[snippet_key(path)].difference = {
            "result": "output-differs",
            "recorded": scrub(old),
            "printed": scrub(new),
            "diff": [scrub(line) for line in list(diff)[2:42]],
        }

    def warned(self, path, warning):
        text = str(warning.message).strip().splitlines() or [""]
        line = scrub(f"{warning.category.__name__}: {text[0]}")
        if len(line) > WARNING_LENGTH:  # torch.load's runs to 900 characters
            line = line[: WARNING_LENGTH - 1].rstrip() + "…"
        if line not in self.snippets[snippet_key(path)].warnings:
            self.snippets[snippet_key(path)].warnings.append(line)

    def results(self):
        """{snippet: entry} for every snippet whose tests all ran (or whose module failed)."""
        found = {}
        for key, tests in sorted(self.snippets.items()):
            if tests.deselected:
                continue
            if tests.failure is not None and not tests.collected:
                found[key] = tests.failure  # the test module could not be imported
            elif tests.collected and tests.collected <= tests.finished:
                if tests.failure is not None:
                    found[key] = tests.failure
                elif tests.difference is not None:
                    found[key] = tests.difference
                else:
                    found[key] = {"result": "passed" if tests.passed else "skipped"}
                if tests.warnings and found[key]["result"] != "needs-library":
                    found[key] = {**found[key], "warnings": tests.warnings}
        return found

    def write(self, path):
        import torch

        snippets = self.results()
        release = torch.__version__.split("+")[0]
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if release in data and set(snippets) != set(all_snippets()):
            # Only some snippets ran (a new one, say): update theirs, dated, and keep the others.
            today = date.today().isoformat()
            kept = data[release]
            merged = {**kept["snippets"], **{k: {**v, "date": today} for k, v in snippets.items()}}
            merged = {key: merged[key] for key in sorted(merged) if key in all_snippets()}
            data[release] = {**kept, "summary": summary(merged), "snippets": merged}
            path.write_text(HOOK.dumps(data), encoding="utf-8")
            return
        record = {
            "torch": release,
            "date": date.today().isoformat(),
            "python": platform.python_version(),
            "device": "CPU" if not torch.cuda.is_available() else torch.cuda.get_device_name(0),
            "stack": {name: installed(name) for name in STACK},
            "install": json.loads(os.environ.get("RELEASE_INSTALL", "null")),
            "run_seconds": round(time.perf_counter() - self.started),
            "summary": summary(snippets),
            "snippets": snippets,
        }
        data[release] = record
        path.write_text(HOOK.dumps(data), encoding="utf-8")


def summary(snippets):
    counts = {kind: 0 for kind in RESULTS}
    for entry in snippets.values():
        counts[entry["result"]] += 1
    return counts


def release_key(release):
    return tuple(int(part) for part in release.split("."))
