"""Fixtures for the browser tests: a local server for the built site (the `site` fixture of
tests/conftest.py), and Debian's Chromium.

Run by `nox -s browser`. Chromium comes from the system (apt-get install chromium
fonts-noto-cjk); Playwright only drives it and downloads nothing. Screenshots and the page-weight
report go to artifacts/browser/ (not committed), or to $BROWSER_ARTIFACTS.
"""

import os
import shutil
from pathlib import Path

import pytest
import static_host
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
def context(browser, server):
    context = browser.new_context(viewport=VIEWPORT)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.rstrip("/"))
    context.set_default_timeout(15_000)
    yield context
    context.close()


REPORT = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def report(request):
    """Figures the tests collect for the end-of-session report: page weights, axe findings."""
    return request.config.stash.setdefault(REPORT, {"weights": {}, "axe": {}, "index": {}})


def pytest_terminal_summary(terminalreporter):
    found = terminalreporter.config.stash.get(REPORT, {"weights": {}, "axe": {}, "index": {}})
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
