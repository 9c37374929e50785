"""Run one snippet file the way a reader runs it, and compare what it prints with the page.

A snippet runs as `__main__` in a fresh temporary working directory, seeded, with network access
blocked. Ordinary snippets run inside the pytest process (an `import torch` per snippet would cost
seconds each); snippets declared multiprocess run as `python snippet.py` in a subprocess.

What a snippet prints to stdout is recorded next to it (`name.out` for CPU, `name.cuda.out` for a
CUDA run), included under the code on the page, and compared here after normalising only what is
volatile (timings, memory addresses).

How each snippet runs (in process or not, its launcher, whether it has a GPU path) is declared
once in snippets/snippets.toml and read through docs/hooks/snippet_needs.py.
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

import snippet_needs

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = ROOT / "snippets"
TESTS = ROOT / "tests"
# The commands that record the outputs, named exactly in the failure that asks for them.
UPDATE_COMMAND = {
    "cpu": "python3 -m nox -s tests -- --update-outputs",
    "cuda": "python3 .ci/gpu.py",
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
    # Bytes of CUDA memory the snippet allocated at its peak (a gpu snippet run in process on
    # CUDA), None when not measured.
    cuda_bytes: int | None = None
    # The files the snippet wrote or changed in workdir (its caches, dot folders, left out).
    written: set = field(default_factory=set)


class CudaUse:
    """Proof that a snippet's CUDA path ran: the peak of allocated CUDA memory rose while it ran.

    `cuda` is torch.cuda, or anything with the same five functions (the tests use a stand-in).
    """

    def __init__(self, cuda):
        self.cuda = cuda
        self.baseline = self.peak = None

    def __enter__(self):
        self.cuda.synchronize()
        self.cuda.reset_peak_memory_stats()
        self.baseline = self.cuda.memory_allocated()
        return self

    def __exit__(self, *exc_info):
        self.cuda.synchronize()
        self.peak = self.cuda.max_memory_allocated()
        return False

    @property
    def allocated(self):
        return self.peak - self.baseline

    def check(self, path):
        if self.allocated <= 0:
            raise SnippetError(
                f"{rel(path)} is declared gpu in snippets/snippets.toml and CUDA is available, "
                "but it allocated no CUDA memory while it ran: its CUDA path did not run"
            )
        return self.allocated


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


@contextlib.contextmanager
def deprecations(path):
    """A snippet must not teach an API that PyTorch is deprecating: DeprecationWarning and
    FutureWarning are errors while it runs. On another release (on_deprecation_warning set by
    tests/release_results.py) they are reported instead."""
    report = on_deprecation_warning
    with warnings.catch_warnings(record=report is not None) as seen:
        action = "always" if report else "error"
        warnings.simplefilter(action, DeprecationWarning)
        warnings.simplefilter(action, FutureWarning)
        try:
            yield
        finally:
            for warning in seen or []:
                if issubclass(warning.category, (DeprecationWarning, FutureWarning)):
                    report(path, warning)


def run_in_process(path, workdir):
    """Execute `path` as __main__ in this process; the caller sets cwd, env and seeds."""
    path = Path(path).resolve()
    buffer = io.StringIO()
    argv = sys.argv
    sys.argv = [str(path)]
    try:
        with contextlib.redirect_stdout(buffer), deprecations(path):
            namespace = runpy.run_path(str(path), run_name="__main__")
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


def torch_state(torch):
    """Torch's global settings a snippet may change; restore_torch_state puts them back."""
    return (
        torch.is_grad_enabled(),
        torch.get_default_dtype(),
        torch.is_anomaly_enabled(),
        torch.are_deterministic_algorithms_enabled(),
        torch.get_num_threads(),
        # (Not the float32 matmul precision: setting it back through the old API leaves the
        # per-backend settings at "ieee" instead of their default "none".)
        torch.backends.cudnn.benchmark,
    )


def restore_torch_state(torch, state):
    torch.set_grad_enabled(state[0])
    torch.set_default_dtype(state[1])
    torch.autograd.set_detect_anomaly(state[2])
    torch.use_deterministic_algorithms(state[3])
    torch.set_num_threads(state[4])
    torch.backends.cudnn.benchmark = state[5]


def needs_of(path):
    """What snippets/snippets.toml declares for this snippet file (nothing for other files)."""
    path = Path(path).resolve()
    include = path.relative_to(SNIPPETS).as_posix() if path.is_relative_to(SNIPPETS) else None
    return snippet_needs.needs(include) if include else snippet_needs.Needs(path.name)


def files_in(workdir):
    """Each file under workdir with its modification time; dot folders (caches) left out."""
    workdir = Path(workdir)
    return {
        name: path.stat().st_mtime_ns
        for path in workdir.rglob("*")
        if path.is_file() and not (name := path.relative_to(workdir).as_posix()).startswith(".")
    }


def written_since(before, workdir):
    return {name for name, mtime in files_in(workdir).items() if before.get(name) != mtime}


def execute(path, workdir, *, needs=None, prepare=None):
    """Run a snippet as the suite does: in `workdir`, with its caches there, seeded, guarded.

    `needs` (from snippets/snippets.toml; by default the snippet's own declaration) says whether
    it runs in a subprocess and with which launcher (torchrun). `prepare(workdir)` stages local
    stand-ins first. In-process runs leave torch's global state (grad mode, default dtype,
    anomaly mode, determinism, threads, cuDNN benchmark) as they found it. A
    gpu snippet run in process where CUDA is available must allocate CUDA memory (CudaUse), or
    it fails. The run's `written` names the files the snippet wrote.
    """
    import pytest
    import torch

    needs = needs_of(path) if needs is None else needs
    cuda = torch.cuda.is_available()
    launcher = snippet_needs.launcher_arguments(
        needs, cuda, torch.cuda.device_count() if cuda else 0
    )
    workdir = Path(workdir)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(workdir)
        for name in ("TORCH_HOME", "XDG_CACHE_HOME", "MPLCONFIGDIR"):
            mp.setenv(name, str(workdir / f".{name.lower()}"))
        if prepare is not None:
            prepare(workdir)
        before = files_in(workdir)
        if needs.multiprocess:
            run = run_in_subprocess(path, workdir, launcher=launcher)
            run.written = written_since(before, workdir)
            return run
        state = torch_state(torch)
        random.seed(SEED)
        torch.manual_seed(SEED)
        try:
            if not (needs.gpu and cuda):
                run = run_in_process(path, workdir)
            else:
                with CudaUse(torch.cuda) as used:
                    run = run_in_process(path, workdir)
                run.cuda_bytes = used.check(path)
            run.written = written_since(before, workdir)
            return run
        finally:
            restore_torch_state(torch, state)


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


# ---------------------------------------------------------------------------------------------
# A test module against its snippet's declaration (snippets/snippets.toml)


def _names(node):
    import ast

    return ast.unparse(node).replace(" ", "")


def _skips_when_cuda_is_there(condition):
    """A skip condition that holds on a GPU machine: it mentions CUDA and is not `not <cuda>`."""
    import ast

    text = _names(condition)
    negated = isinstance(condition, ast.UnaryOp) and isinstance(condition.op, ast.Not)
    return "cuda" in text and not negated


def module_facts(test_file):
    """What a test module's source says about how its snippet runs, read without importing it."""
    import ast

    tree = ast.parse(Path(test_file).read_text(encoding="utf-8"))
    facts = {"marks": set(), "prepare": False, "cuda_tests": [], "skips_on_cuda": [], "tests": {}}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(_names(t) == "pytestmark" for t in node.targets):
            value = node.value
            values = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
            facts["marks"] |= {_names(v).removeprefix("pytest.mark.") for v in values}
        if isinstance(node, ast.FunctionDef) and node.name == "prepare_workdir":
            facts["prepare"] = True
        if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_")):
            continue
        facts["tests"][node.name] = ast.unparse(node)
        for decorator in node.decorator_list:
            name = _names(decorator.func if isinstance(decorator, ast.Call) else decorator)
            if name == "pytest.mark.cuda":
                facts["cuda_tests"].append(node.name)
            if name == "pytest.mark.skipif" and _skips_when_cuda_is_there(decorator.args[0]):
                facts["skips_on_cuda"].append(f"{node.name}: @{_names(decorator)}")
        for branch in ast.walk(node):
            if isinstance(branch, ast.If) and _skips_when_cuda_is_there(branch.test):
                for call in (c for b in branch.body for c in ast.walk(b)):
                    if isinstance(call, ast.Call) and _names(call.func) in ("pytest.skip",):
                        facts["skips_on_cuda"].append(f"{node.name}: if {_names(branch.test)}")
    return facts


def declaration_problems(test_file, needs, module=None):
    """Where a test module and snippets/snippets.toml disagree; [] when they agree.

    Static, from the source: marks set by the module itself must be declared; prepare_workdir
    exists exactly when stand-ins are declared; a gpu module has a test marked cuda (the proof
    that its CUDA path ran) and no test that skips when CUDA is there. With the imported
    `module`, its LAUNCHER (if it keeps one) must be what the declaration gives.
    """
    test = rel(test_file)
    if needs is None:
        return []
    entry = f"[{Path(needs.include).parent}] {Path(needs.include).stem} = {{ ... }}"
    facts = module_facts(test_file)
    found = []
    for mark in sorted(facts["marks"] & {"gpu", "multiprocess"} - needs.marks):
        found.append(
            f"{test}: pytestmark says {mark}, snippets/snippets.toml does not: declare it there "
            f"({entry} with {mark} = true), the one place the suite, notebooks and GPU command read"
        )
    if needs.stand_ins and not facts["prepare"]:
        found.append(f"{test}: declares stand_ins but defines no prepare_workdir(workdir)")
    if facts["prepare"] and not needs.stand_ins:
        found.append(
            f"{test}: prepare_workdir stages stand-ins; say what they replace in "
            f'snippets/snippets.toml ({entry} with stand_ins = "...")'
        )
    if needs.gpu:
        if not facts["cuda_tests"]:
            found.append(
                f"{test}: a gpu module must prove that its CUDA path ran: add a test marked "
                "@pytest.mark.cuda that asserts what only CUDA gives (tensors on cuda, a CUDA "
                "accelerator, CUDA kernels in a profile, the NCCL backend, a scaler that scaled)"
            )
        for where in facts["skips_on_cuda"]:
            found.append(
                f"{test}: {where} skips on a GPU machine, where every test of a gpu module must "
                "run; assert both cases in one test, or mark a CUDA-only test @pytest.mark.cuda"
            )
    elif facts["cuda_tests"]:
        found.append(f"{test}: tests marked cuda in a module that snippets.toml does not mark gpu")
    if module is not None and hasattr(module, "LAUNCHER"):
        import torch

        cuda = torch.cuda.is_available()
        declared = snippet_needs.launcher_arguments(
            needs, cuda, torch.cuda.device_count() if cuda else 0
        )
        if tuple(module.LAUNCHER) != declared:
            found.append(
                f"{test}: LAUNCHER {tuple(module.LAUNCHER)} differs from what snippets.toml "
                f"declares ({declared}); drop LAUNCHER, the declaration is used"
            )
    return found
