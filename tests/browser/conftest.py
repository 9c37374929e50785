"""Fixtures for the browser tests: a local server for the built site (the `site` fixture of
tests/conftest.py), and Debian's Chromium.

Run by `nox -s browser`. Chromium comes from the system (apt-get install chromium
fonts-noto-cjk); Playwright only drives it and downloads nothing. Screenshots and the page-weight
report go to artifacts/browser/ (not committed), or to $BROWSER_ARTIFACTS.

With pytest-xdist (`-n 2`) the workers share one build of the site, and the report figures
travel to the controller as test properties. BROWSER_SITE=<folder> checks a site already built
there instead of building one.
"""

import os
import shutil
from pathlib import Path

import pytest
import static_host
from filelock import FileLock
from pages import mkdocs_build
from snippet_runner import ROOT

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def artifacts():
    folder = Path(os.environ.get("BROWSER_ARTIFACTS", ROOT / "artifacts" / "browser"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The site built once with `mkdocs build --strict`, shared by the xdist workers."""
    if os.environ.get("BROWSER_SITE"):
        return Path(os.environ["BROWSER_SITE"]).resolve()
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        root = tmp_path_factory.mktemp("browser")
    else:
        root = tmp_path_factory.getbasetemp().parent
    target = root / "site"
    with FileLock(root / "site.lock"):
        if not (root / "site.built").exists():
            shutil.rmtree(target, ignore_errors=True)
            done = mkdocs_build(ROOT, target)
            assert done.returncode == 0, done.stderr
            (root / "site.built").touch()
    return target


@pytest.fixture(scope="session")
def server(site):
    with static_host.serve(site) as url:
        yield url


@pytest.fixture(scope="session")
def origins(site, server):
    """Where a reader opens the site from: the files on disk, or a server on this machine."""
    return {"file": site.as_uri() + "/", "http": server}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if executable is None:
        pytest.fail("no Chromium: apt-get install chromium fonts-noto-cjk (or set CHROMIUM)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(request, browser, server):
    """A browser context in the reader's colour scheme: light, or dark when a test is
    parametrized with `indirect=True` on "context"."""
    scheme = getattr(request, "param", "light")
    context = browser.new_context(viewport=VIEWPORT, color_scheme=scheme)
    context.scheme = scheme
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.rstrip("/"))
    context.set_default_timeout(15_000)
    yield context
    context.close()


PROPERTY = "browser-report"
# Filled in the process that reports (the xdist controller, or the only process).
COLLECTED = {"weights": {}, "axe": {}, "index": {}}


class Report:
    """What a test adds to the end-of-session report (page weights, index sizes, axe findings),
    kept as a property of its test report so that it also reaches the xdist controller."""

    def __init__(self, node):
        self.node = node

    def add(self, kind, key, value):
        self.node.user_properties.append((PROPERTY, (kind, key, value)))


@pytest.fixture
def report(request):
    return Report(request.node)


def pytest_runtest_logreport(report):
    if report.when != "call":
        return
    for name, value in report.user_properties:
        if name == PROPERTY:
            kind, key, figures = value
            COLLECTED[kind][key] = figures


def pytest_terminal_summary(terminalreporter):
    found = COLLECTED
    lines = []
    if found["weights"]:
        lines.append("page weight, search index excluded: transferred (gzip) / uncompressed bytes")
        lines += [
            f"  {sent:>9,} / {raw:>9,}  {page}"
            for page, (sent, raw) in sorted(found["weights"].items())
        ]
    for language, (sent, raw) in sorted(found.get("index", {}).items()):
        lines.append(f"search index ({language}): {sent:,} bytes gzip / {raw:,} uncompressed")
    if found["axe"]:
        lines.append("axe-core findings per page (all impacts):")
        lines += [f"  {page}: {ids or 'none'}" for page, ids in sorted(found["axe"].items())]
    if lines:
        terminalreporter.write_sep("-", "browser report")
        for line in lines:
            terminalreporter.write_line(line)
        folder = Path(os.environ.get("BROWSER_ARTIFACTS", ROOT / "artifacts" / "browser"))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "report.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
