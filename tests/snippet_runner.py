"""Run one snippet file the way a reader runs it, and compare what it prints with the page.

A snippet runs as `__main__` in a fresh temporary working directory, seeded, with network access
blocked. Ordinary snippets run inside the pytest process (an `import torch` per snippet would cost
seconds each); snippets marked `multiprocess` run as `python snippet.py` in a subprocess.

What a snippet prints to stdout is recorded next to it (`name.out` for CPU, `name.cuda.out` for a
CUDA run), included under the code on the page, and compared here after normalising only what is
volatile (timings, memory addresses).
"""

import contextlib
import difflib
import io
import os
import random
import re
import runpy
import subprocess
import sys
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = ROOT / "snippets"
TESTS = ROOT / "tests"
UPDATE_COMMAND = {
    "cpu": "nox -s tests -- --update-outputs",
    "cuda": "nox -s tests_gpu -- --update-outputs",
}
SEED = 0
SUBPROCESS_TIMEOUT = 300
# Set by tests/release_results.py when the suite runs on another PyTorch release
# (`nox -s releases`): called as f(snippet, recorded, printed) instead of failing when the
# output differs from the recording, which was made on the pinned release.
on_output_difference = None
# Also set by it: called as f(snippet, warning) for each DeprecationWarning and FutureWarning an
# in-process snippet raises, which then is not an error: an older release's warning about a
# default that the pinned release has since changed is no failure of the snippet there.
on_deprecation_warning = None

# Only what changes from run to run on the same machine. Everything else is compared exactly.
VOLATILE = [
    (re.compile(r"\b0x[0-9a-fA-F]{6,}\b"), "0x<address>"),
    (re.compile(r"\b\d+(?:\.\d+)?(?= ?(?:ns|us|µs|ms|s)\b)"), "<time>"),
]


class SnippetError(AssertionError):
    """A snippet raised, exited non-zero, timed out or printed something unexpected."""


@dataclass
class SnippetRun:
    path: Path
    stdout: str
    workdir: Path
    namespace: dict = field(default_factory=dict)


def rel(path):
    path = Path(path).resolve()
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def normalise(text):
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def snippet_for_test(test_file):
    """tests/q11_backprop/test_x.py -> snippets/q11_backprop/x.py"""
    test_file = Path(test_file).resolve()
    return SNIPPETS / test_file.parent.relative_to(TESTS) / test_file.name.removeprefix("test_")


def expected_output_path(snippet, device):
    suffix = ".out" if device == "cpu" else f".{device}.out"
    return snippet.with_name(snippet.stem + suffix)


def _where(path, exc):
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
    line = f":{frames[-1].lineno}" if frames else ""
    return f"{rel(path)}{line}: {type(exc).__name__}: {exc}"


def run_in_process(path, workdir):
    """Execute `path` as __main__ in this process; the caller sets cwd, env and seeds."""
    path = Path(path).resolve()
    buffer = io.StringIO()
    argv = sys.argv
    sys.argv = [str(path)]
    try:
        report = on_deprecation_warning
        caught = warnings.catch_warnings(record=report is not None)
        with contextlib.redirect_stdout(buffer), caught as seen:
            # A snippet must not teach an API that PyTorch is deprecating.
            warnings.simplefilter("always" if report else "error", DeprecationWarning)
            warnings.simplefilter("always" if report else "error", FutureWarning)
            try:
                namespace = runpy.run_path(str(path), run_name="__main__")
            finally:
                for warning in seen or []:
                    if issubclass(warning.category, (DeprecationWarning, FutureWarning)):
                        report(path, warning)
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise SnippetError(f"{rel(path)}: exited with status {exc.code}") from exc
        namespace = {}
    except Exception as exc:
        raise SnippetError(_where(path, exc)) from exc
    finally:
        sys.argv = argv
    return SnippetRun(path, buffer.getvalue(), Path(workdir), namespace)


def run_in_subprocess(path, workdir, env=None, timeout=SUBPROCESS_TIMEOUT, launcher=()):
    """Execute `python [launcher...] path` in `workdir`, network-guarded and seeded.

    `launcher` runs the script the way a reader would, e.g.
    ("-m", "torch.distributed.run", "--standalone", "--nproc-per-node=2").
    """
    path = Path(path).resolve()
    env = dict(os.environ if env is None else env)
    guard = [str(TESTS / "netguard_site"), str(TESTS)]
    env["PYTHONPATH"] = os.pathsep.join(guard + [p for p in [env.get("PYTHONPATH")] if p])
    env["SNIPPET_SEED"] = str(SEED)
    try:
        done = subprocess.run(
            [sys.executable, *launcher, str(path)],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raise SnippetError(f"{rel(path)}: timed out after {timeout} s") from exc
    if done.returncode != 0:
        lines = re.findall(rf'File "{re.escape(str(path))}", line (\d+)', done.stderr)
        where = f"{rel(path)}:{lines[-1]}" if lines else rel(path)
        last = done.stderr.strip().splitlines()[-1:] or ["(no stderr)"]
        raise SnippetError(
            f"{where}: exited with status {done.returncode}: {last[0]}\n{done.stderr[-4000:]}"
        )
    return SnippetRun(path, done.stdout, Path(workdir))


def _torch_state(torch):
    return (
        torch.is_grad_enabled(),
        torch.get_default_dtype(),
        torch.is_anomaly_enabled(),
        torch.are_deterministic_algorithms_enabled(),
        torch.get_num_threads(),
    )


def execute(path, workdir, *, multiprocess=False, prepare=None, launcher=()):
    """Run a snippet as the suite does: in `workdir`, with its caches there, seeded, guarded.

    `prepare(workdir)` stages local stand-ins first; `launcher` starts a multiprocess snippet
    the way a reader does (e.g. torchrun). In-process runs leave torch's global state
    (grad mode, default dtype, anomaly mode, determinism, threads) as they found it.
    """
    import pytest
    import torch

    workdir = Path(workdir)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(workdir)
        for name in ("TORCH_HOME", "XDG_CACHE_HOME", "MPLCONFIGDIR"):
            mp.setenv(name, str(workdir / f".{name.lower()}"))
        if prepare is not None:
            prepare(workdir)
        if multiprocess:
            return run_in_subprocess(path, workdir, launcher=launcher)
        state = _torch_state(torch)
        random.seed(SEED)
        torch.manual_seed(SEED)
        try:
            return run_in_process(path, workdir)
        finally:
            torch.set_grad_enabled(state[0])
            torch.set_default_dtype(state[1])
            torch.autograd.set_detect_anomaly(state[2])
            torch.use_deterministic_algorithms(state[3])
            torch.set_num_threads(state[4])


def check_output(path, stdout, device, update=False):
    """Compare stdout with the recorded output shown on the page, or record it with update."""
    expected = expected_output_path(Path(path), device)
    if update:
        if stdout:
            expected.write_text(stdout, encoding="utf-8")
        elif expected.exists():
            expected.unlink()
        return
    if not expected.exists():
        if stdout:
            raise SnippetError(
                f"{rel(path)} printed output on {device} but {rel(expected)} does not exist; "
                f"record it with `{UPDATE_COMMAND[device]}` and include it on the page"
            )
        return
    recorded = expected.read_text(encoding="utf-8")
    if normalise(recorded) != normalise(stdout) and on_output_difference is not None:
        on_output_difference(Path(path), normalise(recorded), normalise(stdout))
    elif normalise(recorded) != normalise(stdout):
        diff = "\n".join(
            difflib.unified_diff(
                normalise(recorded).splitlines(),
                normalise(stdout).splitlines(),
                f"{rel(expected)} (shown on the page)",
                f"{rel(path)} (printed now)",
                lineterm="",
            )
        )
        raise SnippetError(
            f"{rel(path)} no longer prints what the page shows. If the change is intended, "
            f"run `{UPDATE_COMMAND[device]}`.\n{diff}"
        )
