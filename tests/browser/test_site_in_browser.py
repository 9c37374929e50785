"""The built site as readers meet it: every page, both languages, from disk and from a server."""

import gzip
import importlib.util
import re
from urllib.parse import urlsplit

import notebooks
import pytest
import snippet_needs
from pages import LANGUAGES, SEARCH_TERMS, pages
from snippet_runner import ROOT, SNIPPETS, check_output, execute, snippet_for_test

ORIGINS = ("file", "http")
MAX_PAGE_BYTES = 400_000  # transferred for a page and all it loads, search index excepted
SEVERE = ("serious", "critical")
OTHER = {"zh": "en", "en": "zh"}


def html_path(page):
    name = page.name.removesuffix(".md") + ".html"
    return name if page.language == "zh" else f"en/{name}"


PAGES = pages()
ALL_PAGES = [(page.language, html_path(page)) for page in PAGES]
# The question pages (q11-...); the cheat sheet and the home pages are not among them.
QA_PAGES = [
    (page.language, html_path(page)) for page in PAGES if notebooks.QA_PAGE.match(page.name)
]
# The notebook view of each Q&A page, generated at build time (docs/hooks/notebooks.py).
NOTEBOOK_PAGES = [
    (lang, path.replace(name, f"notebooks/{name}"))
    for lang, path in QA_PAGES
    for name in [path.removeprefix("en/")]
]
EVERY_PAGE = ALL_PAGES + NOTEBOOK_PAGES
# Every query of every page, in the language of the reader who types it.
SEARCHES = {
    lang: [
        (term, f"{name}.html" if lang == "zh" else f"en/{name}.html")
        for name, terms in sorted(SEARCH_TERMS.items())
        for term in terms[lang]
    ]
    for lang in LANGUAGES
}
# The reader's system colour scheme (Playwright) -> Material's palette on <body>.
SCHEMES = {"light": "default", "dark": "slate"}
# axe-core rules whose outcome depends on the colour scheme; the dark pass runs these.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
SNIPPET_PAGES = [
    (html_path(page), include)
    for page in pages("en")
    for include in page.includes
    if include.endswith(".py")
]


class Visit:
    """One page load, with what it requested from elsewhere, logged as errors, and weighed."""

    def __init__(self, context, base):
        self.page = context.new_page()
        self.base = base
        self.foreign = []
        self.errors = []
        self.bytes = {}
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        self.page.on("request", self._request)
        self.page.on("response", self._response)
        self.page.route(re.compile(r"^(?!file:|data:|blob:|http://127\.0\.0\.1[:/])"), self._block)

    def _console(self, message):
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def _request(self, request):
        scheme, host = urlsplit(request.url)[:2]
        if scheme not in {"file", "data", "blob"} and host.split(":")[0] != "127.0.0.1":
            self.foreign.append(request.url)

    def _response(self, response):
        length = response.headers.get("content-length")
        if length is not None:
            self.bytes[response.url] = int(length)

    def weight(self, site):
        """Bytes sent and bytes on disk for everything this page loaded, search index excepted."""
        urls = [url for url in self.bytes if "/search/search_index." not in url]
        sent = sum(self.bytes[url] for url in urls)
        raw = sum((site / urlsplit(url).path.lstrip("/")).stat().st_size for url in urls)
        return sent, raw

    @staticmethod
    def _block(route):
        route.abort()

    def open(self, path):
        self.page.goto(self.base + path, wait_until="load")
        self.page.wait_for_load_state("networkidle")
        return self.page


def expected_copy(include):
    """What the copy button must give: the snippet file without its annotation markers."""
    return snippet_needs.reader_source(include).rstrip()


def copy_block(page, include):
    block = page.locator("div.highlight").filter(
        has=page.locator(".filename", has_text=f"snippets/{include}")
    )
    # A block folded into a collapsed admonition (q14's measurement code): open it as a reader
    # would, by clicking its summary.
    folds = page.locator("details:not([open])", has=block)
    for _ in range(folds.count()):
        folds.first.locator(":scope > summary").click()
    block.hover()
    block.locator("button[data-md-type=copy]").click()
    return page.evaluate("navigator.clipboard.readText()")


def search(page, term):
    return search_all(page, [term])[term]


# Types each term into Material's search box, as a reader does (keyup), and waits for that query's
# results: the result count line is emptied first and Material rewrites it with each result.
SEARCH_ALL = """async (terms) => {
  const input = document.querySelector("input.md-search__input");
  const meta = document.querySelector(".md-search-result__meta");
  const list = document.querySelector(".md-search-result__list");
  const found = {};
  for (const term of terms) {
    meta.textContent = "";
    list.innerHTML = "";
    input.value = term;
    input.dispatchEvent(new KeyboardEvent("keyup", { key: "End", bubbles: true }));
    const start = performance.now();
    while (!meta.textContent && performance.now() - start < 15000)
      await new Promise(resolve => setTimeout(resolve, 5));
    found[term] = [...list.querySelectorAll(".md-search-result__item > a.md-search-result__link")]
      .map(a => a.href.split("?")[0].split("#")[0]);
  }
  return found;
}"""


def search_all(page, terms):
    """{term: result page URLs, best first} from the page's own search box."""
    page.locator("input.md-search__input").click()
    return page.evaluate(SEARCH_ALL, terms)


@pytest.mark.parametrize("origin", ORIGINS)
@pytest.mark.parametrize(("language", "path"), EVERY_PAGE)
def test_page_loads_cleanly_from_this_host_only(
    context, site, origins, report, origin, language, path
):
    """Then its language switcher opens the same page in the other language (same page load)."""
    base = origins[origin]
    visit = Visit(context, base)
    page = visit.open(path)
    assert page.get_attribute("html", "lang") == language
    assert visit.foreign == [], f"{path} requested other hosts"
    assert visit.errors == [], f"{path} logged errors"
    if origin == "http":
        sent, raw = visit.weight(site)
        report.add("weights", path, (sent, raw))
        assert sent < MAX_PAGE_BYTES, f"{path} transfers {sent} bytes"
        for language_root in ("", "en/"):
            index = site / language_root / "search" / "search_index.json"
            data = index.read_bytes()
            report.add("index", language_root or "zh/", (len(gzip.compress(data)), len(data)))

    other = OTHER[language]
    page.hover(".md-header__option .md-select")
    page.click(f"a.md-select__link[hreflang={other}]")
    page.wait_for_load_state("load")
    name = path.removeprefix("en/")
    expected = base + (name if other == "zh" else f"en/{name}")
    assert page.url.split("#")[0] == expected, "the language switcher went elsewhere"
    assert page.get_attribute("html", "lang") == other
    assert visit.foreign == [], f"{expected} requested other hosts"
    assert visit.errors == [], f"{expected} logged errors"


@pytest.mark.parametrize("origin", ORIGINS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_search_finds_the_page_in_the_readers_language(context, origins, origin, language):
    """Every term of tests/pages.py SEARCH_TERMS puts its page FIRST, and only pages in the
    reader's language come up."""
    base = origins[origin]
    home = "index.html" if language == "zh" else "en/index.html"
    found = search_all(Visit(context, base).open(home), [t for t, _ in SEARCHES[language]])
    wrong = {
        term: [r.removeprefix(base) for r in found[term][:3]]
        for term, target in SEARCHES[language]
        if found[term][:1] != [base + target]
    }
    assert wrong == {}, f"these searches do not put their page first: {wrong}"
    other_language = {
        term: results
        for term, results in found.items()
        if any(r.startswith(base + "en/") != (language == "en") for r in results)
    }
    assert other_language == {}, f"a {language} reader got results in another language"


@pytest.mark.parametrize(("language", "path"), QA_PAGES)
def test_copy_button_copies_exactly_the_snippet(context, origins, language, path):
    page = Visit(context, origins["http"]).open(path)
    includes = [i for p in pages(language) if html_path(p) == path for i in p.includes]
    for include in (i for i in includes if i.endswith(".py")):
        assert copy_block(page, include) == expected_copy(include), include


def _mirrored_test_module(snippet):
    test_file = ROOT / "tests" / snippet.parent.name / f"test_{snippet.name}"
    assert snippet_for_test(test_file) == snippet
    spec = importlib.util.spec_from_file_location(f"mirror_{snippet.stem}", test_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("path", "include"), SNIPPET_PAGES)
def test_copied_snippet_runs_and_prints_what_the_page_shows(
    context, origins, tmp_path, path, include
):
    import torch

    page = Visit(context, origins["http"]).open(path)
    copied = tmp_path / "copied" / include.split("/")[-1]
    copied.parent.mkdir()
    copied.write_text(copy_block(page, include) + "\n", encoding="utf-8")
    module = _mirrored_test_module(SNIPPETS / include)
    workdir = tmp_path / "run"
    workdir.mkdir()
    # Run as the suite runs the file itself: as snippets/snippets.toml declares it.
    run = execute(
        copied,
        workdir,
        needs=snippet_needs.needs(include),
        prepare=getattr(module, "prepare_workdir", None),
    )
    device = "cuda" if torch.cuda.is_available() else "cpu"
    check_output(SNIPPETS / include, run.stdout, device)


def _first_message(node):
    return node["any"][0]["message"] if node["any"] else ""


@pytest.mark.parametrize("context", ["light", "dark"], indirect=True)
@pytest.mark.parametrize(("language", "path"), EVERY_PAGE)
def test_no_serious_accessibility_violations(context, origins, report, language, path):
    """Every axe-core rule in the light scheme; in the dark one (the reader's system setting), the
    rules that depend on colours."""
    from axe_playwright_python.sync_playwright import Axe

    page = Visit(context, origins["http"]).open(path)
    scheme = context.scheme
    assert page.get_attribute("body", "data-md-color-scheme") == SCHEMES[scheme]
    # Node details for violations only: the thousands of passing nodes cost axe more than the
    # checks themselves (q15: 4.6 s instead of 7.8 to 14.6 s).
    options = {"resultTypes": ["violations"]}
    if scheme == "dark":
        options["runOnly"] = {"type": "rule", "values": COLOUR_RULES}
    violations = Axe().run(page, options=options).response["violations"]
    report.add("axe", f"{path} ({scheme})", {v["id"]: v["impact"] for v in violations})
    severe = [
        f"{v['id']} ({v['impact']}): {v['help']} -- {len(v['nodes'])} nodes, first "
        f"{v['nodes'][0]['target']}: {_first_message(v['nodes'][0])}"
        for v in violations
        if v["impact"] in SEVERE
    ]
    assert severe == []


@pytest.mark.parametrize("context", ["light", "dark"], indirect=True)
def test_screenshots(context, origins, artifacts):
    base = origins["http"]
    shots = {
        "zh-page": ("q11-backpropagation.html", None),
        "en-page": ("en/q11-backpropagation.html", None),
        "zh-search": ("index.html", "反向传播"),
        "en-search": ("en/index.html", "backpropagation"),
        "zh-notebook": ("notebooks/q12-gpu.html", None),
    }
    for name, (path, term) in shots.items():
        page = Visit(context, base).open(path)
        if term:
            assert search(page, term)
            page.wait_for_timeout(600)  # let the results panel finish fading in
        target = artifacts / f"{name}-{context.scheme}.png"
        page.screenshot(path=str(target))
        assert target.read_bytes().startswith(b"\x89PNG")
