"""Build the site once with `mkdocs build --strict` and check what readers get.

The `site` fixture (tests/conftest.py) builds it once per test run; tests/notebooks uses it too.
"""

import importlib.util
import json
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import gpu_records
import pytest
import snippet_needs
from pages import DOCS, LANGUAGES, SEARCH_TERMS, pages
from snippet_runner import ROOT


def html_pages(site):
    for page in pages():
        name = page.name.removesuffix(".md") + ".html"
        prefix = "" if page.language == "zh" else "en/"
        yield page, site / f"{prefix}{name}"


def test_default_language_at_root_english_under_en(site):
    for page, html in html_pages(site):
        assert html.exists(), f"{page} was not built to {html}"
        lang = re.search(r'<html lang="(\w+)"', html.read_text(encoding="utf-8"))[1]
        assert lang == page.language


def test_language_switcher_lands_on_the_same_page(site):
    for page, html in html_pages(site):
        name = page.name.removesuffix(".md") + ".html"
        links = dict(
            (lang, href)
            for href, lang in re.findall(
                r'<a href="([^"]+)" hreflang="(\w+)" class="md-select__link"',
                html.read_text(encoding="utf-8"),
            )
        )
        assert sorted(links) == sorted(LANGUAGES), html
        assert (html.parent / links["zh"]).resolve() == (site / name).resolve(), html
        assert (html.parent / links["en"]).resolve() == (site / "en" / name).resolve(), html


class ResourceFinder(HTMLParser):
    """Collects every URL that a browser loads by itself (not links a reader clicks)."""

    LOADED_LINK_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "preconnect"}

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"script", "img", "iframe", "source", "audio", "video", "embed"}:
            self.urls.append(attrs.get("src"))
        elif tag == "link" and set((attrs.get("rel") or "").split()) & self.LOADED_LINK_RELS:
            self.urls.append(attrs.get("href"))


def test_no_page_loads_anything_from_another_host(site):
    for html in site.rglob("*.html"):
        finder = ResourceFinder()
        finder.feed(html.read_text(encoding="utf-8"))
        remote = [u for u in finder.urls if u and re.match(r"^(?:[a-z]+:)?//", u)]
        assert remote == [], f"{html.relative_to(site)} loads {remote}"
    for css in site.rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", css.read_text()), css


def test_files_loaded_by_pages_exist(site):
    # 404.html is served for any missing path, so MkDocs writes it with root-absolute URLs.
    for html in (p for p in site.rglob("*.html") if p.name != "404.html"):
        finder = ResourceFinder()
        finder.feed(html.read_text(encoding="utf-8"))
        for url in filter(None, finder.urls):
            target = (html.parent / url.split("?")[0].split("#")[0]).resolve()
            assert target.exists(), f"{html.relative_to(site)} loads missing {url}"


def language_root(site, language):
    return site if language == "zh" else site / language


def search_index(site, language):
    path = language_root(site, language) / "search" / "search_index.json"
    return json.loads(path.read_text(encoding="utf-8"))


def tokens(index, entry):
    separator = re.compile(index["config"]["separator"])
    # Title, text and the page's search keywords (docs/search-keywords.yml).
    fields = (entry["title"], entry["text"], entry.get("keywords", ""))
    text = re.sub(r"<[^>]+>", " ", " ".join(fields))
    return {t.lower() for t in separator.split(text) if t}


def query_words(index, term, page_tokens):
    """The words Material searches for `term`: split like the text (CamelCase too), each Chinese
    run cut into the longest words the index holds (the search hook's fixed segmentation)."""
    separator = re.compile(index["config"]["separator"])
    for part in (t.lower() for t in separator.split(term) if t):
        if not re.fullmatch(r"[\u4e00-\u9fff]+", part):
            yield part
            continue
        start = 0
        while start < len(part):
            end = next(
                (e for e in range(len(part), start, -1) if part[start:e] in page_tokens),
                start + 1,
            )
            yield part[start:end]
            start = end


@pytest.mark.parametrize("page_name", sorted(SEARCH_TERMS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_search_index_has_whole_terms_per_language(site, page_name, language):
    index = search_index(site, language)
    location = f"{page_name}.html"
    entries = [e for e in index["docs"] if e["location"].split("#")[0] == location]
    assert entries, f"{location} is not in the {language} search index"
    page_tokens = set().union(*(tokens(index, e) for e in entries))
    for term in SEARCH_TERMS[page_name][language]:
        # Material appends a wildcard to every query word: each must begin a word of the page.
        missing = [
            word
            for word in query_words(index, term, page_tokens)
            if not any(token.startswith(word) for token in page_tokens)
        ]
        assert missing == [], f"a search for {term!r} cannot find {location}: {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_searches_only_its_own_pages(site, language):
    root = language_root(site, language)
    index = search_index(site, language)
    locations = {e["location"].split("#")[0] for e in index["docs"]}
    built = {p.name.removesuffix(".md") + ".html" for p in pages(language)}
    # The cheat sheet repeats the key points of every page: the pages themselves are the results.
    assert locations == built - {"cheatsheet.html"}
    titles = " ".join(e["title"] for e in index["docs"] if "#" not in e["location"])
    assert bool(re.search(r"[\u4e00-\u9fff]", titles)) == (language == "zh"), titles
    # Material fetches <base>/search/search_index.json, where base comes from each page.
    for html in root.glob("*.html"):
        if html.name == "404.html":
            continue
        config = re.search(
            r'<script id="__config" type="application/json">(.*?)</script>',
            html.read_text(encoding="utf-8"),
            re.S,
        )
        base = json.loads(config[1])["base"]
        assert (html.parent / base).resolve() == root.resolve(), html


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_qa_page_has_search_keywords(site, language):
    """docs/search-keywords.yml reaches the index: a `keywords` field Material indexes (declared
    in plugins.search.fields) on the page entry of every Q&A page."""
    index = search_index(site, language)
    assert (
        index["config"]["fields"]["keywords"]["boost"] > index["config"]["fields"]["title"]["boost"]
    )
    with_keywords = {e["location"] for e in index["docs"] if e.get("keywords")}
    assert with_keywords == {f"{name}.html" for name in SEARCH_TERMS}


def test_chinese_queries_are_segmented_to_their_end(site):
    # Material's worker stops one character short of the end of a Chinese query; the search hook
    # fixes the bound (docs/hooks/search_per_language.py).
    (worker,) = (site / "assets" / "javascripts" / "workers").glob("search.*.min.js")
    text = worker.read_text(encoding="utf-8")
    assert "for(let o=s+1;o<=t.length;o++)t.slice(s,o)in e" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_works_from_disk(site, language):
    # On file:// Material loads search_index.js with a script tag instead of fetching the JSON.
    folder = language_root(site, language) / "search"
    script = (folder / "search_index.js").read_text(encoding="utf-8")
    assert script.startswith("var __index = ")
    assert json.loads(script.removeprefix("var __index = ")) == search_index(site, language)


def plant_a_missing_include(root):
    page = root / "docs" / "en" / "q11-backpropagation.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("chain_rule_by_hand.py", "no_such_snippet.py", 2))


@pytest.mark.planted_build.with_args(plant_a_missing_include)
def test_a_missing_include_fails_the_build_and_names_the_file(planted_build):
    assert planted_build.returncode != 0
    assert "no_such_snippet.py" in planted_build.stderr


def plant_a_broken_anchor_and_unbacked_gpu_records(root):
    page = root / "docs" / "en" / "q12-gpu.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text + "\n[see](q15-save-load.md#no-such-heading)\n", encoding="utf-8")
    stamps_path = root / "docs" / "tested-with.json"
    stamps = json.loads(stamps_path.read_text(encoding="utf-8"))
    typed = {"date": "2026-11-27", "device": "NVIDIA H100", "cuda": "12.8", "torch": "2.9.0"}
    stamps["q12_gpu"]["cuda"] = typed | {"torchvision": "0.24.0", "python": "3.11.7"}
    stamps_path.write_text(json.dumps(stamps), encoding="utf-8")
    speed = {
        "q12_gpu/time_matmul.py": typed
        | {"run": "2026-11-27T00:00:00Z", "torchvision": "0.24.0", "python": "3.11.7"}
        | {"runs": 5, "warmup": 1, "source": "snippets/q12_gpu/time_matmul.py"}
        | {"rows": [{"label": "cuda", "value": 0.05, "unit": "ms", "values": [0.05]}]}
    }
    (root / "docs" / "gpu-speed.json").write_text(json.dumps(speed), encoding="utf-8")


@pytest.mark.planted_build.with_args(plant_a_broken_anchor_and_unbacked_gpu_records)
def test_a_broken_anchor_and_unbacked_gpu_records_fail_the_build_and_say_what(planted_build):
    """Planted in one build, since strict mode reports every warning before it aborts: a link
    to a heading that does not exist (MkDocs logs it only at INFO unless validation says warn),
    a GPU line typed into the stamp by hand (no recordings behind it, another torch), and GPU
    timings that no GPU run of the stamp measured."""
    assert planted_build.returncode != 0
    warnings = [line for line in planted_build.stderr.splitlines() if line.startswith("WARNING")]
    assert any("q15-save-load.md#no-such-heading" in line for line in warnings), warnings
    assert any("en/q12-gpu.md: GPU line not shown" in line for line in warnings), warnings
    assert any("en/q12-gpu.md: GPU timings not shown" in line for line in warnings), warnings
    page = planted_build.site / "en" / "q12-gpu.html"
    assert "H100" not in page.read_text(encoding="utf-8")


def test_every_language_has_its_pages_in_the_nav(site):
    for language in LANGUAGES:
        prefix = "" if language == "zh" else "en/"
        home = (site / f"{prefix}index.html").read_text(encoding="utf-8")
        for page in pages(language):
            name = page.name.removesuffix(".md") + ".html"
            assert f'href="{name}"' in home or name == "index.html", (language, name)


def test_docs_folder_languages_match_config():
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.findall(r"- locale: (\w+)", config) == list(LANGUAGES)
    assert sorted(
        p.name
        for p in DOCS.iterdir()
        if p.is_dir() and p.name not in {"assets", "hooks", "overrides", "__pycache__"}
    ) == sorted(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_qa_pages_show_their_test_record(site, language):
    stamps = json.loads((DOCS / "tested-with.json").read_text(encoding="utf-8"))
    title = {"zh": "测试记录", "en": "Tested with"}[language]
    for page in pages(language):
        number = re.match(r"q(\d+)-", page.name)
        if not number:
            continue
        html = (language_root(site, language) / page.name.replace(".md", ".html")).read_text(
            encoding="utf-8"
        )
        record = next(v for k, v in stamps.items() if k.startswith(f"q{number[1]}_"))["cpu"]
        assert title in html, page
        assert f"PyTorch {record['torch']}" in html, page
        assert record["date"] in html, page


def _hook(name):
    spec = importlib.util.spec_from_file_location(f"hook_{name}", ROOT / "docs" / "hooks" / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_snippet_titles_link_to_the_snippet_and_its_test_when_the_repository_is_known():
    hook = _hook("copy_snippet_source.py")
    config = SimpleNamespace(repo_url="https://github.com/o/r", edit_uri="edit/main/docs/")
    base = hook.source_url(config)
    assert base == "https://github.com/o/r/blob/main/"
    title = hook.title("q11_backprop/training_loop.py", base, "en")
    assert f'<a href="{base}snippets/q11_backprop/training_loop.py">' in title
    assert f'href="{base}tests/q11_backprop/test_training_loop.py"' in title
    assert hook.title("q11_backprop/training_loop.py", None, "en") == (
        "snippets/q11_backprop/training_loop.py"
    )
    unset = SimpleNamespace(repo_url=None, edit_uri="edit/main/docs/")
    assert hook.source_url(unset) is None
    assert hook.on_config(unset).edit_uri is None  # no edit button without a repository


@pytest.mark.parametrize("language", LANGUAGES)
def test_gpu_speed_tables_sit_under_their_outputs(site, language):
    """Until .ci/gpu.py has measured them, each says so, in the page's language."""
    declared = snippet_needs.load()
    speed = gpu_records.load_json(ROOT / gpu_records.SPEED)
    placeholder = {"zh": "尚未在 GPU 上测量。", "en": "Not measured on a GPU yet."}[language]
    for page, html in html_pages(site):
        if page.language != language:
            continue
        text = html.read_text(encoding="utf-8")
        for include in page.includes:
            needs = declared.get(include)
            if needs is None or not needs.gpu_speed:
                continue
            title = needs.gpu_speed[language]
            after_output = text.split(f"snippets/{include}", 1)[1]
            assert title in after_output, f"{html.name}: no speed table for {include}"
            table = after_output.split(title, 1)[1][:2000]
            if include in speed:
                assert speed[include]["device"] in table
            else:
                assert placeholder in table, f"{html.name}: {include}"


def test_the_site_fetches_no_repository_facts(site):
    for html in site.rglob("*.html"):
        assert 'data-md-component="source"' not in html.read_text(encoding="utf-8"), html
