"""Sessions: docs, serve, tests, tests_gpu, gpu_wheels, browser, lighthouse, lint, wheelhouse,
site_zip, offline, releases.

`nox -l` lists them with what each does. .ci/run runs the ones CI runs, one step per session
group, and .github/workflows/publish.yml runs the same steps (tests/site/test_workflow.py).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

PYTHON = "3.11"
DOCS_ENV = {"NO_MKDOCS_2_WARNING": "1"}
SITE_ZIP_FOLDER = "pytorch-qa-part2"


@nox.session(python=PYTHON)
def docs(session):
    """Strict build of both languages into site/ (no torch installed)."""
    session.install("-r", "requirements/docs.txt")
    session.run("mkdocs", "build", "--strict", "--site-dir", "site", env=DOCS_ENV)


@nox.session(python=PYTHON)
def serve(session):
    """Build and serve the site with live reload on http://127.0.0.1:8000 (no torch installed)."""
    session.install("-r", "requirements/docs.txt")
    session.run("mkdocs", "serve", "--strict", "--dev-addr", "127.0.0.1:8000", env=DOCS_ENV)


# Run in a second pytest process next to the rest: these tests mostly start Python processes of
# their own (the GPU command, pytest runs of the harness), so they keep the second core busy
# while the snippets run in the first process.
SECOND_PROCESS = "tests/pipeline"


def _pytest(session, *args, env):
    session.install("-r", "requirements/tests.txt")
    session.run("npm", "ci", "--no-audit", "--no-fund", external=True)
    command = ["pytest", "--codeblocks", "tests", "docs", "README.md"]
    ignored = ["--ignore=tests/browser", "--ignore=tests/offline"]
    options = [*args, *session.posargs]
    # Paths: run just those. Recording outputs writes into the checkout, which the other process's
    # guard against writes would see: then one process, as before.
    if "--update-outputs" in options or any(not o.startswith("-") for o in session.posargs):
        session.run(*command, *ignored, *options, env={**DOCS_ENV, **env})
        return
    second_env = {**os.environ, **session.env, **DOCS_ENV, **env}
    second_env = {name: value for name, value in second_env.items() if value is not None}
    second_env["PATH"] = os.pathsep.join([session.bin, os.environ.get("PATH", "")])
    with tempfile.TemporaryFile("w+") as log:
        second = subprocess.Popen(
            [os.path.join(session.bin, "pytest"), SECOND_PROCESS, *options],
            env=second_env,
            stdout=log,
            stderr=log,
        )
        try:
            session.run(
                *command, *ignored, f"--ignore={SECOND_PROCESS}", *options, env={**DOCS_ENV, **env}
            )
        finally:
            second.wait()
            log.seek(0)
            print(f"--- pytest {SECOND_PROCESS} (run alongside) ---\n{log.read()}", flush=True)
    if second.returncode != 0:
        session.error(f"pytest {SECOND_PROCESS} failed (exit status {second.returncode})")


@nox.session(python=PYTHON)
def tests(session):
    """Every snippet and guard test, on CPU.

    `nox -s tests -- --update-outputs` re-records the outputs shown on the pages.
    """
    # Hide any GPU so that this session checks the CPU path and the CPU outputs.
    _pytest(session, env={"CUDA_VISIBLE_DEVICES": ""})


@nox.session(python=PYTHON)
def tests_gpu(session):
    """The gpu tests on CUDA, compared with the GPU recordings (`.ci/gpu.py --check`).

    No CUDA fails. With --no-venv it uses the current Python as it is (PyTorch preinstalled, no
    network): it installs nothing. To record on a GPU, run `python3 .ci/gpu.py` (no nox needed).
    """
    if session.venv_backend == "none":
        python = sys.executable
    else:
        session.install("-r", "requirements/tests.txt")
        python = "python"
    session.run(python, ".ci/gpu.py", "--check", *session.posargs, external=True)


# What a GPU machine with PyTorch preinstalled may lack, for the gpu tests or their snippets.
GPU_EXTRAS = ("torchao",)


@nox.session(python=PYTHON)
def gpu_wheels(session):
    """Wheels for a GPU machine with no network (torchao), into wheelhouse-gpu/ (ignored).

    Run where PyPI is reachable; copy the folder with the repository: .ci/gpu.py installs a module
    the gpu tests import and the machine lacks from there, without an index (torchao 0.18.0:
    one abi3 wheel, 3.4 MB, any Python from 3.10).
    """
    pins = (Path("requirements") / "tests.txt").read_text(encoding="utf-8")
    wanted = [re.search(rf"^{name}==\S+$", pins, re.M)[0] for name in GPU_EXTRAS]
    shutil.rmtree("wheelhouse-gpu", ignore_errors=True)
    session.run(
        "python", "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--dest", "wheelhouse-gpu", *wanted,
    )  # fmt: skip
    wheels = sorted(Path("wheelhouse-gpu").glob("*.whl"))
    size = sum(w.stat().st_size for w in wheels)
    session.log(f"wheelhouse-gpu/: {', '.join(w.name for w in wheels)}, {size / 2**20:.1f} MiB")


@nox.session(python=PYTHON)
def browser(session):
    """The built site in Chromium: every page from disk and from 127.0.0.1, search, copy, axe.

    Needs the system's Chromium (apt-get install chromium fonts-noto-cjk). Screenshots and the
    page-weight report go to artifacts/browser/.
    """
    session.install("-r", "requirements/browser.txt")
    session.run(
        "pytest",
        "tests/browser",
        # Chromium and the copied snippets keep a core busy each; workers share one site build.
        "--numprocesses=auto",
        "--maxprocesses=4",
        "--durations=10",
        *session.posargs,
        env={**DOCS_ENV, "CUDA_VISIBLE_DEVICES": ""},
    )


@nox.session(python=PYTHON)
def lighthouse(session):
    """Lighthouse (mobile) on every page, served with gzip: a benchmark report, not a test.

    Needs Node 20 and the system's Chromium. Writes artifacts/lighthouse/report.md and
    summary.json; `nox -s lighthouse -- --runs 3 --only q15` keeps the median of 3 runs of
    the pages whose path contains q15.
    """
    session.install("-r", "requirements/docs.txt")
    session.run("mkdocs", "build", "--strict", "--site-dir", "site", env=DOCS_ENV)
    session.run(
        "npm", "ci", "--prefix", "tests/lighthouse", "--no-audit", "--no-fund", external=True
    )
    session.run(
        "python",
        "tests/lighthouse/run.py",
        "--site",
        "site",
        "--out",
        "artifacts/lighthouse",
        *session.posargs,
    )


@nox.session(python=PYTHON)
def lint(session):
    """ruff over snippets/, tests/, the build hooks and the GPU command."""
    session.install("-r", "requirements/lint.txt")
    session.run("ruff", "check", "snippets", "tests", "docs/hooks", ".ci/gpu.py", "noxfile.py")
    session.run(
        "ruff", "format", "--check", "snippets", "tests", "docs/hooks", ".ci/gpu.py", "noxfile.py"
    )


@nox.session(python=PYTHON)
def wheelhouse(session):
    """Every wheel the docs build needs, into wheelhouse/ (run it where PyPI is reachable)."""
    shutil.rmtree("wheelhouse", ignore_errors=True)
    session.run(
        "python", "-m", "pip", "wheel", "--wheel-dir", "wheelhouse", "-r", "requirements/docs.txt"
    )
    wheels = sorted(Path("wheelhouse").glob("*.whl"))
    size = sum(w.stat().st_size for w in wheels)
    session.log(f"wheelhouse/: {len(wheels)} wheels, {size / 2**20:.1f} MiB")


@nox.session(python=PYTHON)
def site_zip(session):
    """Build the site and zip it, both languages, into dist/ for readers who build nothing."""
    session.install("-r", "requirements/docs.txt")
    session.run("mkdocs", "build", "--strict", "--site-dir", "site", env=DOCS_ENV)
    target = Path("dist") / f"{SITE_ZIP_FOLDER}-site.zip"
    target.parent.mkdir(exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in Path("site").rglob("*") if p.is_file()):
            archive.write(path, f"{SITE_ZIP_FOLDER}/{path.relative_to('site').as_posix()}")
    session.log(f"{target}: {target.stat().st_size / 2**20:.1f} MiB")


@nox.session(python=PYTHON, requires=["wheelhouse", "site_zip"])
def offline(session):
    """Build the site from wheelhouse/ alone, network blocked, as the README tells readers."""
    session.install("-r", "requirements/offline.txt")
    session.run("pytest", "tests/offline", *session.posargs, env=DOCS_ENV)


# The PyTorch releases the snippets are tested on besides the pin (nox -s releases): one
# requirements file each, requirements/releases/torch-<release>.txt.
RELEASES_DIR = Path("requirements/releases")
RELEASES = sorted(
    (p.stem.removeprefix("torch-") for p in RELEASES_DIR.glob("torch-*.txt")),
    key=lambda release: tuple(int(part) for part in release.split(".")),
)
# Run by the session before any test: the release asked for must be the one installed.
CHECK_RELEASE = """
import sys, torch, torchvision
want = {"torch": sys.argv[1], "torchvision": sys.argv[2]}
have = {name: module.__version__.split("+")[0] for name, module in
        [("torch", torch), ("torchvision", torchvision)]}
if have != want:
    sys.exit(f"installed {have}, but requirements/releases asks for {want}")
print(f"torch {torch.__version__}, torchvision {torchvision.__version__}: as asked")
"""


def _pins(requirements):
    pins = {}
    for line in Path(requirements).read_text(encoding="utf-8").splitlines():
        name, _, version = line.split("#")[0].strip().partition("==")
        if version:
            pins[name.strip().lower()] = version.strip()
    return pins


def _size_gib(folder):
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file()) / 2**30


@nox.session(python=PYTHON)
@nox.parametrize("torch", RELEASES, ids=RELEASES)
def releases(session, torch):
    """The snippet tests on another PyTorch release, on CPU; results to docs/tested-releases.json.

    Each release gets its own environment from requirements/releases/torch-<release>.txt
    (several GB: the PyPI builds are CUDA builds); `nox -s releases` runs every release, reusing
    the environments already installed. Outputs that differ from the recordings (made on the pin)
    are reported, not failed; a failing snippet is a result, not a failed session.
    """
    requirements = RELEASES_DIR / f"torch-{torch}.txt"
    pins = _pins(requirements)
    # Our own constraint replaces any local pip configuration's (one here caps torch at the
    # release on disk), so that pip installs the release asked for or fails.
    constraints = Path(session.create_tmp()).resolve() / "release-constraints.txt"
    constraints.write_text(f"torch=={torch}\ntorchvision=={pins['torchvision']}\n")
    env = {"PIP_CONSTRAINT": str(constraints), "PIP_NO_CACHE_DIR": "1"}
    venv = Path(session.virtualenv.location)
    installed = venv / "release-install.json"
    started = time.perf_counter()
    session.install("-r", str(requirements), env=env)
    if not installed.exists():  # the first install into this environment: its cost
        seconds = round(time.perf_counter() - started)
        record = {"seconds": seconds, "gib": round(_size_gib(venv), 1), "date": str(date.today())}
        installed.write_text(json.dumps(record))
    session.run_install("python", "-c", CHECK_RELEASE, torch, pins["torchvision"])
    results = Path("docs/tested-releases.json")
    # `nox -s releases -- tests/q12_gpu/test_new_snippet.py` runs only those tests (a new snippet):
    # their entries are updated, the others kept.
    chosen = [arg for arg in session.posargs if arg.startswith("tests/q")]
    ran = session.run(
        "pytest",
        *(chosen or sorted(str(p) for p in Path("tests").glob("q*_*") if p.is_dir())),
        "-p",
        "no:cacheprovider",
        # A slow machine is not a failing release: a longer limit than the suite's 300 s.
        "--timeout=900",
        *(arg for arg in session.posargs if arg not in chosen),
        env={
            "CUDA_VISIBLE_DEVICES": "",
            "RELEASE_RESULTS": str(results.resolve()),
            "RELEASE_INSTALL": installed.read_text(),
        },
        success_codes=[0, 1],  # failing snippets are results; a broken run is not
    )
    if ran is None:  # --install-only
        return
    record = json.loads(results.read_text(encoding="utf-8"))[torch]
    session.log(f"{results} [{torch}]: {record['summary']}, tests ran {record['run_seconds']} s")
