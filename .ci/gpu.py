#!/usr/bin/env python3
"""The one command for a machine with an NVIDIA GPU: run every gpu test on CUDA and record.

    python3 .ci/gpu.py                    # record: outputs, GPU stamp, GPU timings; then verify
    python3 .ci/gpu.py --check            # compare with the recordings only (CI's tests_gpu)
    python3 .ci/gpu.py --copy-to DIR      # also copy what it recorded (and its log) into DIR

Needs only the machine's own Python with PyTorch and the snippets' libraries (torchvision,
lightning, safetensors, h5py) and pytest with pytest-timeout: no nox, no network, no docs stack.
Any PyTorch release works; the versions it ran on go into the records. Steps:

1. preflight: CUDA must be there (otherwise it stops with exit status 1 and writes nothing);
   every module the gpu tests and their snippets import must be importable (a missing one is
   installed from wheelhouse-gpu/ if that folder was carried along: `python3 -m nox -s
   gpu_wheels`); the gpu test modules must agree with snippets/snippets.toml.
2. record: the gpu tests (the modules snippets/snippets.toml declares gpu) with REQUIRE_GPU=1 and
   --update-outputs: each must pass; each printing snippet's output goes to name.cuda.out, and
   each question whose gpu tests all passed gets its GPU line in docs/tested-with.json.
3. measure: each snippet declared with gpu_speed is run once to warm up, then --runs times; the
   median of each timing it prints goes to docs/gpu-speed.json, which the pages' tables show.
4. verify: the gpu tests again, now comparing with what step 2 recorded (a GPU output that is
   not the same from run to run fails here, before CI meets it). On failure the stamp of step 2
   is put back as it was.

Then commit what it wrote (git add snippets docs/tested-with.json docs/gpu-speed.json).
"""

import argparse
import ast
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
HOOKS = ROOT / "docs" / "hooks"
sys.path[:0] = [str(TESTS), str(HOOKS)]

import gpu_records  # noqa: E402
import snippet_needs  # noqa: E402

WHEELS = ROOT / "wheelhouse-gpu"
STAMPS = ROOT / gpu_records.STAMPS
SPEED = ROOT / gpu_records.SPEED
RUNS = 5
WARMUP = 1
# Import names whose distribution is called otherwise on PyPI.
DISTRIBUTIONS = {"PIL": "pillow", "yaml": "pyyaml", "sklearn": "scikit-learn"}


class Refused(SystemExit):
    """Stop with a message and exit status 1, before anything is run or written."""

    def __init__(self, message):
        super().__init__(1)
        self.message = message


def log(message):
    print(f"[gpu.py] {message}", flush=True)


# ---------------------------------------------------------------------------------------------
# 1. preflight


def cuda_problem(torch):
    """Why this machine cannot run the GPU command (None when it can)."""
    if torch.cuda.is_available():
        return None
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    return (
        f"no CUDA device: torch {torch.__version__} (CUDA {torch.version.cuda or 'none'}) sees "
        f"no GPU: torch.cuda.is_available() is False"
        + (f", CUDA_VISIBLE_DEVICES={visible!r}" if visible is not None else "")
        + ".\nThis command runs the gpu tests on CUDA and records their outputs, the GPU line "
        "of the tested-with stamp and the GPU timings: run it on a machine with an NVIDIA GPU. "
        "Nothing was run or written."
    )


def gpu_modules(declared):
    return [needs.test_path for needs in declared.values() if needs.gpu]


def speed_sources(declared):
    return {include: needs for include, needs in declared.items() if needs.gpu_speed}


def _local_modules():
    names = {p.stem for p in TESTS.glob("*.py")} | {p.stem for p in HOOKS.glob("*.py")}
    return names | {p.name for p in TESTS.iterdir() if p.is_dir()}


def imported_modules(files):
    """Top-level names of the third-party modules these files import."""
    found = set()
    for path in files:
        for node in ast.walk(ast.parse(Path(path).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return sorted(found - set(sys.stdlib_module_names) - _local_modules())


def missing_modules(files):
    return [name for name in imported_modules(files) if importlib.util.find_spec(name) is None]


# The suite's own modules that the gpu selection loads (tests/pages.py, the docs stack's reader,
# is not one of them).
SUPPORT = [
    *(TESTS / f"{name}.py" for name in ("conftest", "snippet_runner", "tested_with", "checkout")),
    *(HOOKS / f"{name}.py" for name in ("snippet_needs", "gpu_records")),
]


def selection_files(declared):
    """What the GPU command runs: the gpu test modules with the helpers and conftests beside
    them, their snippets, the speed sources, and the suite's support modules."""
    gpu = [needs for needs in declared.values() if needs.gpu]
    folders = {needs.test_path.parent for needs in gpu}
    files = [needs.test_path for needs in gpu] + [needs.path for needs in gpu]
    files += [needs.speed_source() for needs in speed_sources(declared).values()]
    files += [p for f in sorted(folders) for p in f.glob("*.py") if not p.name.startswith("test_")]
    return files + SUPPORT


def ensure_imports(declared, pip=None):
    """Every module the gpu selection imports is importable, or is installed from WHEELS."""
    missing = missing_modules(selection_files(declared))
    missing += [p for p in ("pytest", "pytest_timeout") if importlib.util.find_spec(p) is None]
    if not missing:
        return []
    names = [DISTRIBUTIONS.get(name, name).replace("_", "-") for name in missing]
    if WHEELS.is_dir():
        log(f"installing {names} from {WHEELS.name}/ (no index)")
        command = [sys.executable, "-m", "pip", "install", "--no-index", "--no-deps"]
        done = (pip or subprocess.run)([*command, "--find-links", str(WHEELS), *names])
        still = [name for name in missing if importlib.util.find_spec(name) is None]
        if done.returncode == 0 and not still:
            return names
    raise Refused(
        f"the gpu tests import {missing}, which this Python lacks ({sys.executable}).\n"
        "Carry their wheels along: on a machine with network run `python3 -m nox -s gpu_wheels` "
        "(writes wheelhouse-gpu/), copy that folder with the repository, and run this again: "
        "it installs them from there without an index. Nothing was run or written."
    )


def ensure_declarations(declared):
    from snippet_runner import declaration_problems

    found = [
        problem
        for needs in declared.values()
        if needs.gpu
        for problem in declaration_problems(needs.test_path, needs)
    ]
    if found:
        raise Refused(
            "the gpu test modules disagree with snippets/snippets.toml:\n" + "\n".join(found)
        )


# ---------------------------------------------------------------------------------------------
# 2. and 4. the gpu tests


def pytest_ini(folder):
    """pyproject's pytest settings as an ini file with absolute paths and no minversion, so that
    an older pytest preinstalled on the GPU machine runs the suite as it is configured."""
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    options = dict(settings["tool"]["pytest"]["ini_options"])
    options.pop("minversion", None)
    options.pop("testpaths", None)
    options["pythonpath"] = [str(ROOT / p) for p in options.get("pythonpath", [])]
    if importlib.util.find_spec("pytest_timeout") is None:
        options.pop("timeout", None)
    lines = ["[pytest]"]
    for key, value in options.items():
        value = " ".join(value) if isinstance(value, list) else str(value).lower()
        lines.append(f"{key} = {value}")
    ini = Path(folder) / "pytest.ini"
    ini.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ini


def run_pytest(declared, folder, run_id, record, extra=(), output=None):
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-c",
        str(pytest_ini(folder)),
        "--rootdir",
        str(ROOT),
        "-p",
        "no:cacheprovider",
        "-m",
        "gpu",
        *(["--update-outputs"] if record else []),
        *(str(p.relative_to(ROOT)) for p in gpu_modules(declared)),
        *extra,
    ]
    env = {**os.environ, "REQUIRE_GPU": "1", "GPU_RUN_ID": run_id}
    log(("record" if record else "verify") + ": " + " ".join(command[1:]))
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        for line in process.stdout:
            sys.stdout.write(line)
            if output is not None:
                output.write(line)
    return process.returncode


# ---------------------------------------------------------------------------------------------
# 3. timings


def rows(needs, stdout):
    """[(label, value, unit), ...] of the timing lines a speed source printed."""
    return [
        (" ".join(match["label"].split()), float(match["value"]), match["unit"])
        for match in needs.speed_row().finditer(stdout)
    ]


def measure(needs, runs=RUNS, warmup=WARMUP, workdir=None):
    """Run a speed source `warmup` + `runs` times; the median of each row over the timed runs."""
    import netguard
    from snippet_runner import execute, rel

    netguard.install()
    source = needs.speed_source()
    how = needs if source == needs.path else snippet_needs.Needs(needs.include)
    seen = []
    with tempfile.TemporaryDirectory(prefix="gpu-speed-") as scratch:
        for number in range(warmup + runs):
            folder = Path(workdir or scratch) / f"run{number}"
            folder.mkdir(parents=True)
            run = execute(source, folder, needs=how, prepare=None)
            found = rows(needs, run.stdout)
            if not found:
                raise RuntimeError(f"{source} printed no timing row:\n{run.stdout}")
            if number >= warmup:
                seen.append(found)
    labels = [(label, unit) for label, _, unit in seen[0]]
    for found in seen[1:]:
        if [(label, unit) for label, _, unit in found] != labels:
            raise RuntimeError(f"{source} printed other rows from run to run: {seen}")
    table = []
    for index, (label, unit) in enumerate(labels):
        values = [found[index][1] for found in seen]
        table.append(
            {"label": label, "value": statistics.median(values), "unit": unit, "values": values}
        )
    return {
        "runs": runs,
        "warmup": warmup,
        "source": rel(source),
        "rows": table,
    }


def measure_all(declared, environment, runs=RUNS):
    measured = {}
    for include, needs in speed_sources(declared).items():
        started = time.perf_counter()
        measured[include] = dict(environment) | measure(needs, runs=runs)
        table = measured[include]["rows"]
        values = ", ".join(f"{row['label']} {row['value']:g} {row['unit']}" for row in table)
        log(f"measured {include} in {time.perf_counter() - started:.0f} s: {values}")
    SPEED.write_text(json.dumps(measured, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return measured


# ---------------------------------------------------------------------------------------------


def recorded_files(declared):
    outputs = [gpu_records.cuda_output(n, ROOT) for n in declared.values() if n.gpu]
    return [p for p in (*outputs, STAMPS, SPEED) if p.exists()]


def copy_to(target, files):
    target = Path(target)
    for path in files:
        destination = target / (path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
    log(f"copied {len(files)} files to {target}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare only; record nothing")
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs per speed table")
    parser.add_argument("--copy-to", type=Path, help="copy the recorded files and the log here")
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments (after --)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    run_id = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    declared = snippet_needs.load()
    log_file = Path(tempfile.mkstemp(prefix="gpu-run-", suffix=".log")[1])
    before = {path: path.read_text(encoding="utf-8") for path in (STAMPS, SPEED) if path.exists()}
    status = 1
    try:
        try:
            import torch
        except ImportError as missing:
            raise Refused(f"no PyTorch in this Python ({sys.executable})") from missing
        problem = cuda_problem(torch)
        if problem:
            raise Refused(problem)
        log(
            f"{torch.cuda.get_device_name(0)}, CUDA {torch.version.cuda}, torch "
            f"{torch.__version__}, Python {sys.version.split()[0]}; run {run_id}"
        )
        ensure_imports(declared)
        ensure_declarations(declared)
        with tempfile.TemporaryDirectory(prefix="gpu-pytest-") as folder, log_file.open("w") as out:
            if args.check:
                status = run_pytest(declared, folder, run_id, False, args.pytest_args, out)
                return status
            status = run_pytest(declared, folder, run_id, True, args.pytest_args, out)
            if status != 0:
                log("recording failed (above); stamped: only questions whose gpu tests all passed")
                return status
            import tested_with

            os.environ[tested_with.RUN_ID] = run_id
            measure_all(declared, tested_with.environment("cuda"), runs=args.runs)
            status = run_pytest(declared, folder, run_id, False, args.pytest_args, out)
            if status != 0:
                log("verification failed: the GPU outputs differ from run to run")
                SPEED.unlink(missing_ok=True)
                for path, text in before.items():  # no stamp or timings for this run
                    path.write_text(text, encoding="utf-8")
                return status
        problems = [
            p
            for question, record in gpu_records.load_json(STAMPS).items()
            if "cuda" in record and record["cuda"].get("run") == run_id
            for p in gpu_records.problems(question, record["cuda"], declared, ROOT)
        ]
        problems += gpu_records.speed_problems(
            gpu_records.load_json(SPEED), gpu_records.load_json(STAMPS), declared
        )
        if problems:
            log("the records are inconsistent:\n" + "\n".join(problems))
            status = 1
            return status
        log(
            f"done in {time.perf_counter() - started:.0f} s: commit "
            "snippets/**/*.cuda.out, docs/tested-with.json and docs/gpu-speed.json"
        )
        return 0
    except Refused as refused:
        print(f"\n.ci/gpu.py: FAILED: {refused.message}\n", file=sys.stderr, flush=True)
        log_file.write_text(refused.message + "\n", encoding="utf-8")
        return 1
    finally:
        if args.copy_to:
            files = recorded_files(declared)
            copy_to(args.copy_to, files)
            shutil.copy2(log_file, Path(args.copy_to) / "gpu-run.log")
        log_file.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
