"""The site builds on a machine with no network, from the wheelhouse alone (`nox -s offline`).

`nox -s wheelhouse` collects every wheel the docs build needs into wheelhouse/ first. This test
then does what the README tells a reader on an intranet to do -- a fresh virtual environment,
`pip install --no-index --find-links wheelhouse`, `mkdocs build --strict` -- with every network
connection of the build refused, and checks the result is the site a normal build makes.
"""

import os
import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from pages import mkdocs_build
from snippet_runner import ROOT, TESTS

WHEELHOUSE = Path(os.environ.get("WHEELHOUSE", ROOT / "wheelhouse"))
SITE_ZIP = Path(os.environ.get("SITE_ZIP", ROOT / "dist" / "pytorch-qa-part2-site.zip"))


def pinned(requirements):
    """name==version lines of a requirements file, following -r includes."""
    pins = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            pins |= pinned(requirements.parent / line[3:].strip())
        elif "==" in line:
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def offline_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV"))}
    env |= {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(WHEELHOUSE), "NO_MKDOCS_2_WARNING": "1"}
    # Every Python process started with this environment refuses non-loopback connections.
    env["PYTHONPATH"] = str(TESTS / "netguard_site") + os.pathsep + str(TESTS)
    return env


def site_files(site):
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory):
    wheels = sorted(WHEELHOUSE.glob("*.whl"))
    assert wheels, f"no wheels in {WHEELHOUSE}: run `nox -s wheelhouse` on a connected machine"
    root = tmp_path_factory.mktemp("offline")
    venv.create(root / "venv", with_pip=True)
    python = root / "venv" / "bin" / "python"
    env = offline_env()
    install = subprocess.run(
        [python, "-m", "pip", "install", "--no-index", "--find-links", WHEELHOUSE,
         "-r", ROOT / "requirements" / "docs.txt"],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert install.returncode == 0, install.stdout + install.stderr
    build = subprocess.run(
        [python, "-m", "mkdocs", "build", "--strict", "--site-dir", root / "site"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    freeze = subprocess.run(
        [python, "-m", "pip", "freeze"], env=env, capture_output=True, text=True, check=True
    )
    return root / "site", freeze.stdout


def test_the_wheelhouse_holds_wheels_only_for_the_pinned_docs_stack():
    names = {re.sub(r"[-_.]+", "-", w.name.split("-")[0]).lower() for w in WHEELHOUSE.glob("*.whl")}
    assert names == set(pinned(ROOT / "requirements" / "docs.txt"))
    assert "torch" not in names
    assert not list(WHEELHOUSE.glob("*.tar.gz")), "every package must be a wheel (no builds)"


def test_the_offline_environment_is_exactly_the_pinned_stack(offline_site):
    _, freeze = offline_site
    installed = {}
    for line in freeze.splitlines():
        name, _, version = line.partition("==")
        installed[re.sub(r"[-_.]+", "-", name).lower()] = version
    assert installed == pinned(ROOT / "requirements" / "docs.txt")


def test_the_network_guard_is_active_in_the_offline_build():
    probe = subprocess.run(
        [sys.executable, "-c", "import socket; socket.create_connection(('pypi.org', 443), 5)"],
        env=offline_env(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert probe.returncode != 0
    assert "network access blocked" in probe.stderr


def test_the_offline_build_is_the_normal_build(offline_site, tmp_path):
    site, _ = offline_site
    done = mkdocs_build(ROOT, tmp_path / "site")
    assert done.returncode == 0, done.stderr
    normal = tmp_path / "site"
    assert site_files(site) == site_files(normal)
    for name in site_files(normal):
        if name.endswith((".html", ".json", ".js")):
            assert (site / name).read_bytes() == (normal / name).read_bytes(), name


def test_the_site_zip_opens_from_disk(offline_site):
    assert SITE_ZIP.exists(), f"{SITE_ZIP} is missing: run `nox -s site_zip`"
    with zipfile.ZipFile(SITE_ZIP) as archive:
        names = set(archive.namelist())
    site, _ = offline_site
    expected = {f"pytorch-qa-part2/{name}" for name in site_files(site)}
    assert names == expected
    for language_root in ("", "en/"):
        assert f"pytorch-qa-part2/{language_root}index.html" in names
        # what the search box loads from file://, where it cannot fetch the JSON index
        assert f"pytorch-qa-part2/{language_root}search/search_index.js" in names
