"""The one command for a GPU machine (.ci/gpu.py), as far as a machine without a GPU can check it.

On this machine it must stop at once, loudly, for the one right reason (no CUDA), and write
nothing. Its parts are checked here on the CPU: the pytest settings it hands an older pytest,
the modules the gpu selection imports (no docs stack), the wheels it installs when a module is
missing, the medians it measures, the rows it reads from what the snippets print, and the nox
session that calls it under --no-venv. The speed tables it feeds are checked at the end.
"""

import configparser
import importlib.util
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import checkout
import gpu_records
import pytest
import snippet_needs
from snippet_runner import ROOT, rel

GPU = ROOT / ".ci" / "gpu.py"
DECLARED = snippet_needs.load()


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gpu():
    return _load(GPU, "gpu_command")


def test_without_cuda_it_fails_loudly_for_that_reason_and_writes_nothing(tmp_path):
    before = checkout.state(ROOT)
    done = subprocess.run(
        [sys.executable, str(GPU), "--copy-to", str(tmp_path / "out")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert ".ci/gpu.py: FAILED: no CUDA device" in done.stderr
    assert "torch.cuda.is_available() is False" in done.stderr
    assert "Nothing was run or written." in done.stderr
    assert "record: " not in done.stdout  # it stopped before running the tests
    assert checkout.changes(before, checkout.state(ROOT)) == []
    log = (tmp_path / "out" / "gpu-run.log").read_text(encoding="utf-8")
    assert log.startswith("no CUDA device")


def test_the_message_names_the_gpu_and_the_machine(gpu):
    cuda = SimpleNamespace(is_available=lambda: False)
    torch = SimpleNamespace(__version__="2.11.0", version=SimpleNamespace(cuda=None), cuda=cuda)
    assert "torch 2.11.0 (CUDA none) sees no GPU" in gpu.cuda_problem(torch)
    torch.cuda = SimpleNamespace(is_available=lambda: True)
    assert gpu.cuda_problem(torch) is None


def test_its_pytest_settings_are_the_suites_without_minversion(gpu, tmp_path):
    """The GPU machine's preinstalled pytest may be older than our pin: the command hands it
    pyproject's settings as an ini file with absolute paths and no minversion."""
    ini = configparser.ConfigParser()
    ini.read(gpu.pytest_ini(tmp_path))
    options = ini["pytest"]
    assert "minversion" not in options
    assert options["pythonpath"].split() == [str(ROOT / "tests"), str(ROOT / "docs" / "hooks")]
    assert "--strict-markers" in options["addopts"].split()
    assert options["xfail_strict"] == "true"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(tmp_path / "pytest.ini"), "--rootdir", str(ROOT)]
        + ["-p", "no:cacheprovider", "-q", "tests/q11_backprop/test_chain_rule_by_hand.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
    )
    assert done.returncode == 0, done.stdout[-3000:]


def test_the_gpu_selection_imports_no_docs_stack(gpu):
    """The GPU machine has PyTorch and the snippets' libraries, but no MkDocs, nbclient,
    markdown-it or pytest-codeblocks: collecting the gpu tests must not need them."""
    files = gpu.selection_files(DECLARED)
    imported = gpu.imported_modules(files)
    assert {"torch", "lightning", "safetensors", "h5py", "torchvision"} <= set(imported)
    assert not {"torchao", "mkdocs", "nbclient", "markdown_it"} & set(imported)
    docs_stack = ("mkdocs", "nbclient", "nbformat", "markdown_it", "mdit_py_plugins", "jupytext")
    blocker = (
        "import sys\n"
        f"class Block:\n"
        f"    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {docs_stack!r}:\n"
        f"            raise ImportError('not on the GPU machine: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import pytest\n"
        "sys.exit(pytest.main(sys.argv[1:]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", blocker, "-p", "no:cacheprovider", "--collect-only", "-q"]
        + ["-m", "gpu", *(rel(path) for path in files if path.name.startswith("test_"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "error" not in done.stdout.splitlines()[-1]


def test_a_missing_module_is_installed_from_carried_wheels_or_refused(gpu, tmp_path, monkeypatch):
    monkeypatch.setattr(gpu, "missing_modules", lambda files: ["torchao"])
    monkeypatch.setattr(gpu, "WHEELS", tmp_path / "wheelhouse-gpu")
    with pytest.raises(gpu.Refused) as refused:
        gpu.ensure_imports(DECLARED)
    assert "python3 -m nox -s gpu_wheels" in refused.value.message
    assert "Nothing was run or written" in refused.value.message
    (tmp_path / "wheelhouse-gpu").mkdir()
    calls = []

    def pip(command):
        calls.append(command)
        return SimpleNamespace(returncode=0)

    monkeypatch.setattr(gpu.importlib.util, "find_spec", lambda name: object())
    assert gpu.ensure_imports(DECLARED, pip=pip) == ["torchao"]
    assert calls[0][-3:] == ["--find-links", str(tmp_path / "wheelhouse-gpu"), "torchao"]
    assert "--no-index" in calls[0]


def test_missing_modules_are_found_from_the_imports(gpu, tmp_path):
    module = tmp_path / "test_x.py"
    module.write_text("import os\nimport torch\nfrom no_such_module_here import x\n")
    assert gpu.missing_modules([module]) == ["no_such_module_here"]


def test_measure_takes_the_median_of_the_timed_runs_after_the_warm_up(gpu, tmp_path):
    counter = tmp_path / "count"
    script = tmp_path / "timed.py"
    script.write_text(
        "from pathlib import Path\n"
        f"counter = Path({str(counter)!r})\n"
        "n = int(counter.read_text()) + 1 if counter.exists() else 1\n"
        "counter.write_text(str(n))\n"
        "print(f'eager: median {10 * n}.5 ms')\n"
        "print(f'batch size   4: {n} us per step, 0.25 us per sample')\n"
        "print('same result: True')\n"
    )
    speed = {"zh": "时间", "en": "Time", "script": str(script)}
    needs = snippet_needs.Needs("q00_x/timed.py", gpu_speed=speed)
    measured = gpu.measure(needs, runs=3, warmup=1, workdir=tmp_path / "work")
    assert measured["runs"] == 3
    assert measured["warmup"] == 1
    eager, batch = measured["rows"]
    assert eager == {"label": "eager", "value": 30.5, "unit": "ms", "values": [20.5, 30.5, 40.5]}
    assert batch["label"] == "batch size 4"
    assert batch["values"] == [2.0, 3.0, 4.0]


def test_the_mixed_precision_workload_runs_and_is_read(gpu, tmp_path):
    needs = DECLARED["q12_gpu/mixed_precision.py"]
    measured = gpu.measure(needs, runs=1, warmup=0, workdir=tmp_path)
    assert measured["source"] == "tests/gpu_speed/mixed_precision_step.py"
    assert [row["label"] for row in measured["rows"]] == ["float32", "autocast bfloat16"]


@pytest.mark.parametrize(
    "include", sorted(i for i, n in DECLARED.items() if n.gpu_speed and "script" not in n.gpu_speed)
)
def test_each_speed_table_reads_rows_from_what_its_snippet_prints(gpu, include):
    needs = DECLARED[include]
    printed = needs.path.with_suffix(".out").read_text(encoding="utf-8")
    found = gpu.rows(needs, printed)
    assert found, f"{include}: no row in what it prints: {printed}"
    assert all(unit in ("ns", "us", "µs", "ms", "s") for _, _, unit in found)


# ---------------------------------------------------------------------------------------------
# nox -s tests_gpu: no session.install under --no-venv


def _noxfile(monkeypatch):
    sessions = {}
    fake = SimpleNamespace(
        options=SimpleNamespace(),
        session=lambda **kwargs: lambda function: sessions.setdefault(function.__name__, function),
        parametrize=lambda *args, **kwargs: lambda function: function,
    )
    monkeypatch.setitem(sys.modules, "nox", fake)
    _load(ROOT / "noxfile.py", "noxfile_under_test")
    return sessions


class Session:
    def __init__(self, backend):
        self.venv_backend, self.posargs, self.calls = backend, [], []

    def install(self, *args):
        if self.venv_backend == "none":  # what nox does
            raise ValueError("session.install() is no longer allowed without a virtualenv")
        self.calls.append(("install", *args))

    def run(self, *args, **kwargs):
        self.calls.append(("run", *args))


def test_tests_gpu_installs_nothing_under_no_venv_and_runs_the_gpu_check(monkeypatch):
    tests_gpu = _noxfile(monkeypatch)["tests_gpu"]
    passthrough = Session("none")
    tests_gpu(passthrough)
    assert passthrough.calls == [("run", sys.executable, ".ci/gpu.py", "--check")]
    venv = Session("virtualenv")
    tests_gpu(venv)
    assert venv.calls == [
        ("install", "-r", "requirements/tests.txt"),
        ("run", "python", ".ci/gpu.py", "--check"),
    ]


def test_readme_documents_the_gpu_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python3 .ci/gpu.py" in readme
    assert "python3 -m nox -s tests_gpu --no-venv" in readme
    assert "python3 -m nox -s gpu_wheels" in readme


# ---------------------------------------------------------------------------------------------
# The speed tables it feeds (docs/hooks/gpu_speed.py)


def _hook():
    return _load(ROOT / "docs" / "hooks" / "gpu_speed.py", "hook_gpu_speed")


PAGE = """# Page

??? example "Measured"

    ``` py title="snippets/q12_gpu/time_matmul.py"
    --8<-- "q12_gpu/time_matmul.py"
    ```

    1.  Note.

    ``` text title="Output"
    --8<-- "q12_gpu/time_matmul.out"
    ```

After.
"""

MEASURED = {
    "date": "2026-12-01",
    "run": "2026-12-01T10:00:00Z",
    "device": "NVIDIA H200",
    "cuda": "12.8",
    "torch": "2.11.0",
    "torchvision": "0.26.0",
    "python": "3.12.3",
    "runs": 5,
    "warmup": 1,
    "source": "snippets/q12_gpu/time_matmul.py",
    "rows": [
        {"label": "cpu", "value": 9.1234, "unit": "ms", "values": []},
        {"label": "cuda", "value": 0.06112, "unit": "ms", "values": []},
    ],
}


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "Not measured on a GPU yet."), ("zh", "尚未在 GPU 上测量。")]
)
def test_until_measured_the_table_says_so_in_the_pages_language(language, expected):
    shown = _hook().insert_tables(PAGE, ["q12_gpu/time_matmul.py"], DECLARED, {}, language)
    lines = shown.splitlines()
    end = lines.index('    --8<-- "q12_gpu/time_matmul.out"') + 1
    title = DECLARED["q12_gpu/time_matmul.py"].gpu_speed[language]
    assert lines[end + 1 : end + 5] == [
        "",
        f"    | {title} | {'On a GPU' if language == 'en' else '在 GPU 上'} |",
        "    | :-- | --: |",
        f"    | {expected} | — |",
    ]
    assert shown.endswith("After.\n")


def test_measured_the_table_shows_the_medians_and_where_they_come_from():
    speed = {"q12_gpu/time_matmul.py": MEASURED}
    shown = _hook().insert_tables(PAGE, ["q12_gpu/time_matmul.py"], DECLARED, speed, "en")
    assert "    | cpu | 9.12 ms |" in shown
    assert "    | cuda | 0.0611 ms |" in shown
    assert "    | Time of a 1024×1024 matrix multiplication | NVIDIA H200 |" in shown
    assert "NVIDIA H200, CUDA 12.8, PyTorch 2.11.0, 2026-12-01: the median of 5 runs" in shown


def test_a_declared_table_without_an_output_block_fails_the_build(caplog):
    page = PAGE.replace('--8<-- "q12_gpu/time_matmul.out"', "no output here")
    with caplog.at_level(logging.WARNING):
        _hook().insert_tables(page, ["q12_gpu/time_matmul.py"], DECLARED, {}, "en")
    assert "has gpu_speed but no output block" in caplog.text


def test_every_declared_speed_table_has_its_output_block_on_both_pages():
    from pages import LANGUAGES, pages

    for language in LANGUAGES:
        includes = {i for page in pages(language) for i in page.includes}
        for include, needs in DECLARED.items():
            if needs.gpu_speed:
                assert include in includes, f"{include} is on no {language} page"
                out = str(Path(include).with_suffix(".out"))
                assert out in includes, f"{include}: its table goes under {out}, not on the page"


def test_the_speed_data_file_is_consistent_when_present():
    speed = gpu_records.load_json(ROOT / gpu_records.SPEED)
    stamps = json.loads((ROOT / gpu_records.STAMPS).read_text(encoding="utf-8"))
    assert gpu_records.speed_problems(speed, stamps, DECLARED) == []


# ---------------------------------------------------------------------------------------------
# Its steps, run on this CPU as far as they go


def test_its_test_run_fails_here_only_for_want_of_cuda(gpu, tmp_path):
    """The pytest run it starts (generated settings, declared marks, REQUIRE_GPU=1): on a CPU
    every gpu test fails because CUDA is absent, not for a missing recording, not by skipping."""
    subset = {i: n for i, n in DECLARED.items() if i == "q12_gpu/choose_device.py"}
    with (tmp_path / "log").open("w") as log:
        status = gpu.run_pytest(subset, tmp_path, "run-id", False, output=log)
    out = (tmp_path / "log").read_text(encoding="utf-8")
    assert status == 1, out[-3000:]
    module = (ROOT / "tests" / "q12_gpu" / "test_choose_device.py").read_text(encoding="utf-8")
    tests = len(re.findall(r"^def test_", module, re.M))
    failures = [line for line in out.splitlines() if line.startswith(("FAILED", "ERROR"))]
    assert len(failures) == tests, out[-3000:]  # every test of the module, the cuda proof too
    # One traceback per test ends in this message. Count the traceback lines ("E   Failed: ..."),
    # not the short summary, which pytest truncates to the terminal width unless CI is set.
    reasons = [
        line
        for line in out.splitlines()
        if line.startswith("E ") and "Failed: REQUIRE_GPU=1 but CUDA is not available" in line
    ]
    assert len(reasons) == tests, out[-3000:]
    assert "does not exist" not in out
    assert " skipped" not in out.splitlines()[-1]


def test_a_verification_that_fails_leaves_no_stamp_or_timings_of_its_run(
    gpu, tmp_path, monkeypatch
):
    stamps, speed = tmp_path / "tested-with.json", tmp_path / "gpu-speed.json"
    stamps.write_text('{"before": true}\n')
    monkeypatch.setattr(gpu, "STAMPS", stamps)
    monkeypatch.setattr(gpu, "SPEED", speed)
    monkeypatch.setattr(gpu, "cuda_problem", lambda torch: None)
    monkeypatch.setattr(gpu, "ensure_imports", lambda declared: [])
    import torch

    monkeypatch.setattr(torch.cuda, "get_device_name", lambda index: "Fake GPU")
    calls = []

    def run_pytest(declared, folder, run_id, record, extra=(), output=None):
        calls.append(record)
        if record:
            stamps.write_text('{"written": "by the record run"}\n')
        return 0 if record else 1  # the outputs differ on the second run

    monkeypatch.setattr(gpu, "run_pytest", run_pytest)
    monkeypatch.setattr(gpu, "measure_all", lambda d, e, runs: speed.write_text("{}\n"))
    monkeypatch.setattr("tested_with.environment", lambda device: {})
    status = gpu.main(["--copy-to", str(tmp_path / "out")])
    assert status == 1
    assert calls == [True, False]
    assert stamps.read_text() == '{"before": true}\n'
    assert not speed.exists()
    assert (tmp_path / "out" / "gpu-run.log").exists()
