"""What a test run may not change: the checkout, git-ignored files under snippets/ and docs/ too.

`git status` sees tracked and untracked files but not git-ignored ones, so a snippet that wrote
into an ignored folder under snippets/ (a .venv/, a __pycache__/) went unnoticed. state() adds
every file under the watched folders with its size and modification time. Python's own bytecode
caches of the tests and the build hooks are left out: importing them is not a write by a test.
"""

import os
import subprocess
from pathlib import Path

WATCHED = ("snippets", "docs", "tests")


def _bytecode(folder, root):
    """The interpreter's caches of the tests and the build hooks, which importing them fills."""
    relative = Path(folder).relative_to(root).as_posix()
    return Path(folder).name == "__pycache__" and (
        relative.startswith("tests/") or relative == "docs/hooks/__pycache__"
    )


def _git_status(root):
    """git's view; nothing where there is no git or no repository (a copied working tree)."""
    try:
        done = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=root,
            capture_output=True,
            text=True,
        )
    except FileNotFoundError:
        return set()
    return set(done.stdout.splitlines()) if done.returncode == 0 else set()


def _files(root):
    found = {}
    for top in WATCHED:
        for folder, dirs, names in os.walk(Path(root) / top):
            dirs[:] = [d for d in dirs if not _bytecode(Path(folder) / d, root)]
            for name in names:
                path = Path(folder) / name
                stat = path.lstat()
                found[path.relative_to(root).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return found


def state(root):
    """git status lines, and {path: (size, mtime)} of every file under the watched folders."""
    return _git_status(root), _files(root)


def changes(before, after):
    """What changed between two states, as readable lines; [] when nothing did."""
    (status_before, files_before), (status_after, files_after) = before, after
    found = sorted(status_before ^ status_after)
    for path in sorted(set(files_before) | set(files_after)):
        if path not in files_before:
            found.append(f"written: {path}")
        elif path not in files_after:
            found.append(f"deleted: {path}")
        elif files_before[path] != files_after[path]:
            found.append(f"modified: {path}")
    return found
