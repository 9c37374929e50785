"""Sessions: docs, serve, tests, tests_gpu, browser, lighthouse, lint, wheelhouse, site_zip,
offline.

`nox -l` lists them with what each does.
"""

import os
import shutil
import zipfile
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


def _pytest(session, *args, env):
    session.install("-r", "requirements/tests.txt")
    session.run("npm", "ci", "--no-audit", "--no-fund", external=True)
    session.run(
        "pytest",
        "--codeblocks",
        "tests",
        "docs",
        "README.md",
        "--ignore=tests/browser",
        "--ignore=tests/offline",
        *args,
        *session.posargs,
        env={**DOCS_ENV, **env},
    )


@nox.session(python=PYTHON)
def tests(session):
    """Every snippet and guard test, on CPU.

    `nox -s tests -- --update-outputs` re-records the outputs shown on the pages.
    """
    # Hide any GPU so that this session checks the CPU path and the CPU outputs.
    _pytest(session, env={"CUDA_VISIBLE_DEVICES": ""})


@nox.session(python=PYTHON)
def tests_gpu(session):
    """The snippets marked gpu, on CUDA; with REQUIRE_GPU=1 (the default) no GPU fails."""
    _pytest(session, "-m", "gpu", env={"REQUIRE_GPU": os.environ.get("REQUIRE_GPU", "1")})


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
    """ruff over snippets/, tests/ and the build hooks."""
    session.install("-r", "requirements/lint.txt")
    session.run("ruff", "check", "snippets", "tests", "docs/hooks", "noxfile.py")
    session.run("ruff", "format", "--check", "snippets", "tests", "docs/hooks", "noxfile.py")


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
