"""Fixtures for the browser tests: a local server for the built site (the `site` fixture of
tests/conftest.py), and Debian's Chromium.

Run by `nox -s browser`. Chromium comes from the system (apt-get install chromium
fonts-noto-cjk); Playwright only drives it and downloads nothing. Screenshots and the page-weight
report go to artifacts/browser/ (not committed), or to $BROWSER_ARTIFACTS.
"""

import functools
import gzip
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest
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


class _StaticHostHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site as a static host such as GitHub Pages does: text compressed with gzip."""

    COMPRESSED = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map")

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts_gzip and path.is_file() and path.suffix in self.COMPRESSED):
            return super().do_GET()
        body = gzip.compress(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server(site):
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_StaticHostHandler, directory=str(site))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


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
