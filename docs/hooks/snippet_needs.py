"""What each snippet needs to run, read from snippets/snippets.toml, the one place that says it.

Not a hook itself: a module the hooks import (MkDocs puts docs/hooks/ on sys.path while it loads a
hook), and the tests too (pyproject.toml adds docs/hooks to pytest's pythonpath), and the GPU
command (.ci/gpu.py). Standard library only: the docs build has no torch and no tests on its path.

It also holds what every reader of a snippet file shares: the annotation marker `# (1)!` and the
snippet's text as a reader copies it (markers removed), and how a launcher starts a snippet.
"""

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = ROOT / "snippets"
DECLARATIONS = SNIPPETS / "snippets.toml"

# A Material code annotation at the end of a line: `x = f(y)  # (1)!`, with the spaces before it.
MARKER = re.compile(r"[ \t]*#\s*\((?P<number>\d+)\)!$", re.M)

KEYS = {"gpu", "multiprocess", "launcher", "stand_ins", "gpu_speed"}
SPEED_KEYS = {"zh", "en", "script", "row"}
LANGUAGES = ("zh", "en")
# How a reader starts a snippet that has a launcher: `python <arguments> --nproc-per-node=N file`.
LAUNCHERS = {"torchrun": ("-m", "torch.distributed.run", "--standalone")}
# The same rule as processes() below, as the notebook's launch cell computes it.
PROCESSES_EXPRESSION = "min(2, torch.cuda.device_count()) if torch.cuda.is_available() else 2"
# By default a speed-table row is an output line "label: ... <number> <unit>", e.g.
# "cuda: 1024x1024 matmul, median 0.061 ms" -> ("cuda", 0.061, "ms"); the first timing counts.
DEFAULT_ROW = (
    r"^(?P<label>[^:\n]+): .*?(?<![\w.])(?P<value>\d+(?:\.\d+)?) ?(?P<unit>ns|us|µs|ms|s)\b"
)


@dataclass(frozen=True)
class Needs:
    include: str  # the path under snippets/, e.g. "q16_data_parallel/ddp_train.py"
    gpu: bool = False
    multiprocess: bool = False
    launcher: str | None = None
    stand_ins: str | None = None
    gpu_speed: dict | None = None

    @property
    def path(self):
        return SNIPPETS / self.include

    @property
    def marks(self):
        """The pytest marks of the snippet's test module."""
        return {mark for mark in ("gpu", "multiprocess") if getattr(self, mark)}

    @property
    def test_path(self):
        include = PurePosixPath(self.include)
        return ROOT / "tests" / include.parent / f"test_{include.name}"

    def speed_row(self):
        return re.compile((self.gpu_speed or {}).get("row", DEFAULT_ROW), re.M)

    def speed_source(self):
        """The file whose printed timings fill the speed table: the snippet or its `script`."""
        script = (self.gpu_speed or {}).get("script")
        return ROOT / script if script else self.path


class DeclarationError(ValueError):
    pass


def _needs(include, entry):
    where = f"{DECLARATIONS.name}: {include}"
    if not isinstance(entry, dict):
        raise DeclarationError(f"{where}: expected a table like {{ gpu = true }}")
    unknown = set(entry) - KEYS
    if unknown:
        raise DeclarationError(f"{where}: unknown keys {sorted(unknown)}; known: {sorted(KEYS)}")
    if not (SNIPPETS / include).is_file():
        raise DeclarationError(f"{where}: there is no snippets/{include}")
    launcher = entry.get("launcher")
    if launcher is not None and launcher not in LAUNCHERS:
        raise DeclarationError(f"{where}: launcher {launcher!r}; known: {sorted(LAUNCHERS)}")
    speed = entry.get("gpu_speed")
    if speed is not None:
        if set(speed) - SPEED_KEYS or not all(speed.get(lang) for lang in LANGUAGES):
            raise DeclarationError(
                f"{where}: gpu_speed needs a title per language ({', '.join(LANGUAGES)}) and "
                f"may have {sorted(SPEED_KEYS - set(LANGUAGES))}; got {sorted(speed)}"
            )
        re.compile(speed.get("row", DEFAULT_ROW))
    return Needs(
        include=include,
        gpu=bool(entry.get("gpu", False)),
        multiprocess=bool(entry.get("multiprocess", False) or launcher),
        launcher=launcher,
        stand_ins=entry.get("stand_ins"),
        gpu_speed=speed,
    )


def load(path=DECLARATIONS):
    """{"q12_gpu/time_matmul.py": Needs(...), ...} for every declared snippet."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    declared = {}
    for folder, snippets in data.items():
        if not isinstance(snippets, dict):
            raise DeclarationError(f"{DECLARATIONS.name}: [{folder}] must be a table of snippets")
        for name, entry in snippets.items():
            include = f"{folder}/{name}.py"
            declared[include] = _needs(include, entry)
    return declared


def needs(include, declared=None):
    """What snippets/<include> needs; a snippet that is not declared needs nothing special."""
    declared = load() if declared is None else declared
    return declared.get(include, Needs(include))


def for_test_file(test_file, declared=None):
    """tests/q16_data_parallel/test_ddp_train.py -> the Needs of q16_data_parallel/ddp_train.py"""
    test_file = Path(test_file)
    include = f"{test_file.parent.name}/{test_file.name.removeprefix('test_')}"
    return needs(include, declared)


INCLUDE_LINE = re.compile(r'^\s*--8<--\s+"(?P<path>[^"]+\.py)"\s*$', re.M)


def snippet_pages(language="en"):
    """{include: Q&A page} for every snippet on a Q&A page, in page order, e.g.
    {"q11_backprop/training_loop.py": "q11-backpropagation", ...} (a snippet is on one page)."""
    found = {}
    for page in sorted((ROOT / "docs" / language).glob("q*.md")):
        for match in INCLUDE_LINE.finditer(page.read_text(encoding="utf-8")):
            found.setdefault(match["path"], page.stem)
    return found


def processes(cuda_available, device_count):
    """torchrun processes: one per GPU, at most two (NCCL wants a GPU per rank), else two."""
    return min(2, device_count) if cuda_available else 2


def launcher_arguments(needs, cuda_available=False, device_count=0):
    """The arguments between `python` and the snippet file, e.g. -m torch.distributed.run ..."""
    if needs.launcher is None:
        return ()
    count = processes(cuda_available, device_count)
    return (*LAUNCHERS[needs.launcher], f"--nproc-per-node={count}")


def notebook_launch_cell(needs):
    """The notebook cell that starts a launcher snippet written by the %%writefile cell before."""
    name = PurePosixPath(needs.include).name
    arguments = " ".join(LAUNCHERS[needs.launcher])
    return (
        "import sys\n\nimport torch\n\n"
        f"nproc = {PROCESSES_EXPRESSION}\n"
        f"!{{sys.executable}} {arguments} --nproc-per-node={{nproc}} {name}"
    )


def reader_source(include_or_path):
    """A snippet file as a reader copies it: the annotation markers removed, one final newline."""
    path = Path(include_or_path)
    path = path if path.is_absolute() else SNIPPETS / path
    return MARKER.sub("", path.read_text(encoding="utf-8")).rstrip() + "\n"


def markers(text):
    """The annotation numbers in a snippet's text, in order."""
    return [int(match["number"]) for match in MARKER.finditer(text)]
