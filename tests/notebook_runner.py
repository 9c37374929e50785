"""Run each Q&A page's notebook in an IPython shell, one cell at a time: the one execution of every
snippet in the CPU test session.

The notebook is the one the site serves (docs/hooks/notebooks.py builds it from the page): its code
cells are the page's snippets, in the page's order. A page's cells run in one IPython shell (the
interpreter a Jupyter kernel wraps), in one working directory, seeded once at the start, with
nothing reset between cells, exactly as a reader runs the notebook top to bottom. A snippet that a
reader launches with torchrun is written by its %%writefile cell and launched as the notebook's
next cell launches it. What each snippet cell prints is what its test compares with the recording,
and the shell's namespace after the cell is what its test asserts on: no snippet runs twice.

The tests run in page order (tests/conftest.py sorts them), so a test module's fixtures are set up
before its own cell runs, and its tests run right after that cell, before the next one.
"""

import contextlib
import importlib.util
import io
import os
import random
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import snippet_needs
from snippet_runner import (
    SEED,
    CudaUse,
    SnippetError,
    SnippetRun,
    deprecations,
    files_in,
    restore_torch_state,
    run_in_subprocess,
    torch_state,
    written_since,
)

NAMED = re.compile(r"^(?:%%writefile (?P<file>\S+)\n)?# snippets/(?P<include>\S+\.py)\n")


@dataclass
class Cell:
    source: str
    include: str | None = None  # the snippet the cell holds (None for a launch cell)
    writes: str | None = None  # the file a %%writefile cell writes
    launches: str | None = None  # the snippet a launch cell starts (torchrun)


@dataclass
class CellResult:
    run: SnippetRun | None
    error: str | None = None
    seconds: float = 0.0


def _needs(include, declared):
    return snippet_needs.needs(include, declared)


_SHELL = []


def shell():
    """The session's one IPython shell (each page run resets its namespace), with no history
    database and no profile written to the reader's home."""
    if not _SHELL:
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config

        os.environ.setdefault("IPYTHONDIR", tempfile.mkdtemp(prefix="ipython-"))
        config = Config()
        config.HistoryAccessor.enabled = False
        _SHELL.append(InteractiveShell.instance(config=config))
    return _SHELL[0]


def notebook_cells(notebook, declared):
    """The code cells of a notebook, each with the snippet it holds or launches."""
    cells = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = cell["source"]
        named = NAMED.match(source)
        if named:
            cells.append(Cell(source, named["include"], writes=named["file"]))
        elif cells and cells[-1].writes and _needs(cells[-1].include, declared).launcher:
            cells.append(Cell(source, launches=cells[-1].include))
        else:
            raise ValueError(f"a notebook code cell that names no snippet:\n{source[:200]}")
    return cells


class PageRun:
    """One page's notebook, run lazily: `through(include)` runs every cell up to that snippet's."""

    def __init__(self, name, notebook, workdir, declared, prepare=()):
        self.name = name
        self.cells = notebook_cells(notebook, declared)
        self.declared = declared
        self.workdir = Path(workdir)
        self.prepare = list(prepare)
        self.results = {}  # include -> CellResult
        self.done = 0  # cells run so far
        # The last cell that raised. Unlike Jupyter's "run all", the run goes on: the snippets
        # do not depend on each other, and each test should learn about its own snippet.
        self.failed = None
        self.shell = None

    @property
    def includes(self):
        return [c.include for c in self.cells if c.include and not c.launches]

    def through(self, include):
        """Run the cells up to the one that holds (or launches) `include`; its result."""
        while include not in self.results and self.done < len(self.cells):
            self._run_next()
        if include not in self.results:
            raise SnippetError(f"notebooks/{self.name}.ipynb has no cell for snippets/{include}")
        return self.results[include]

    def finish(self):
        while self.done < len(self.cells):
            self._run_next()
        return self.results

    # -----------------------------------------------------------------------------------------

    def _start(self):
        import torch

        self.shell = shell()
        self.shell.reset(new_session=False)  # a fresh namespace, as in a new kernel
        for prepare in self.prepare:
            with self._in_workdir():
                prepare(self.workdir)
        self._state = torch_state(torch)
        random.seed(SEED)
        torch.manual_seed(SEED)

    def _stop(self):
        import torch

        # The namespace stays: functions the snippets defined look their globals up in it, and the
        # page's tests still call them. The next page's run starts with a fresh one.
        restore_torch_state(torch, self._state)
        self.shell = None

    @contextlib.contextmanager
    def _in_workdir(self):
        import pytest

        with pytest.MonkeyPatch.context() as mp:
            mp.chdir(self.workdir)
            for name in ("TORCH_HOME", "XDG_CACHE_HOME", "MPLCONFIGDIR"):
                mp.setenv(name, str(self.workdir / f".{name.lower()}"))
            yield

    def _run_next(self):
        if self.shell is None:
            self._start()
        cell = self.cells[self.done]
        self.done += 1
        target = cell.launches or cell.include
        if cell.launches and self.failed == f"snippets/{cell.launches}":
            # Its %%writefile cell failed: there is nothing to launch.
            self.results[target] = CellResult(None, f"not run: {self.failed} was not written")
            return
        before = files_in(self.workdir)
        started = time.perf_counter()
        try:
            with self._in_workdir():
                run = self._launch(cell) if cell.launches else self._run_cell(cell)
            error = None
        except SnippetError as exc:
            run, error = None, str(exc)
            self.failed = f"snippets/{target}"
        if run is not None:
            run.written = written_since(before, self.workdir)
        if cell.launches or not _needs(cell.include, self.declared).launcher:
            self.results[target] = CellResult(run, error, time.perf_counter() - started)
        if self.done == len(self.cells):
            self._stop()

    def _run_cell(self, cell):
        import torch

        path = snippet_needs.SNIPPETS / cell.include
        needs = _needs(cell.include, self.declared)
        use = CudaUse(torch.cuda) if needs.gpu and torch.cuda.is_available() else None
        buffer = io.StringIO()
        with contextlib.ExitStack() as stack:
            stack.enter_context(contextlib.redirect_stdout(buffer))
            stack.enter_context(deprecations(path))
            if use is not None:
                stack.enter_context(use)
            result = self.shell.run_cell(cell.source, store_history=False)
        error = result.error_before_exec or result.error_in_exec
        if isinstance(error, SystemExit) and error.code in (0, None):
            error = None
        if error is not None:
            raise SnippetError(_where(path, error, buffer.getvalue()))
        run = SnippetRun(path, buffer.getvalue(), self.workdir, dict(self.shell.user_ns))
        if use is not None:
            run.cuda_bytes = use.check(path)
        return run

    def _launch(self, cell):
        """The launch cell, as it runs in Jupyter: `python -m torch.distributed.run ... file`."""
        import torch

        needs = _needs(cell.launches, self.declared)
        cuda = torch.cuda.is_available()
        launcher = snippet_needs.launcher_arguments(
            needs, cuda, torch.cuda.device_count() if cuda else 0
        )
        written = self.workdir / PurePosixPath(cell.launches).name
        run = run_in_subprocess(written, self.workdir, launcher=launcher)
        return SnippetRun(snippet_needs.SNIPPETS / cell.launches, run.stdout, self.workdir)


def _where(path, exc, printed):
    """`snippets/x.py:LINE: Error: message`: the cell's first line names the file, so the
    snippet's line is the cell's line minus one."""
    import traceback

    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if f.filename.startswith("<ipython-input-") or "/ipykernel_" in f.filename
    ]
    rel = path.relative_to(snippet_needs.ROOT).as_posix()
    line = f":{frames[-1].lineno - 1}" if frames else ""
    tail = printed[-2000:]
    return f"{rel}{line}: {type(exc).__name__}: {exc}" + (f"\n{tail}" if tail.strip() else "")


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The notebook builder the site uses (a build hook; docs/hooks is not a package).
hook = _load(snippet_needs.ROOT / "docs" / "hooks" / "notebooks.py", "docs_hooks_notebooks")
LANGUAGE = "en"  # code cells are the same in both languages (tests/notebooks checks it)


class PageRuns:
    """The page runs of one test session, made on first use, each with its own directory."""

    def __init__(self, tmp_path_factory, declared):
        self.tmp_path_factory = tmp_path_factory
        self.declared = declared
        self.runs = {}

    def _needs(self, include):
        return _needs(include, self.declared)

    def __getitem__(self, name):
        if name not in self.runs:
            page = snippet_needs.ROOT / "docs" / LANGUAGE / f"{name}.md"
            notebook = hook.build_notebook(page, LANGUAGE, self.declared)
            workdir = self.tmp_path_factory.mktemp(f"nb-{name}")
            prepare = [
                module.prepare_workdir
                for include in (c.include for c in notebook_cells(notebook, self.declared))
                if include and self._needs(include).stand_ins
                for module in [_load(self._needs(include).test_path, f"stand_ins_{include}")]
            ]
            self.runs[name] = PageRun(name, notebook, workdir, self.declared, prepare)
        return self.runs[name]
