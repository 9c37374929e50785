"""Give each language its own search index, so that a reader gets results in the page's language.

mkdocs-static-i18n builds every language into one site and merges their search entries into a
single search/search_index.json, which Material loads from `<base>/search/` on every page: a
reader on an English page gets Chinese results too (upstream: ultrabug/mkdocs-static-i18n#271).
After the last language is built, this hook splits that index by language folder, writes
en/search/search_index.json (and the .js copy that the offline plugin uses on file://), keeps only
the default language at the root, and points the `base` of each page outside the default language
at its own language folder. `base` only locates the search index and its results here: the
site does not use instant navigation or versioning.

Each Q&A page's search entry also gets a hidden `keywords` field (docs/search-keywords.yml: the
page's topic, synonyms and API names, in each language), weighted above titles, so that the page
about a term ranks first and a page that only mentions it comes after. Material indexes every
field that the index's config lists and shows only title, text and tags in its results.

Chinese queries: Material splits a query at the longest words its index holds, but its loop stops
one character short of the end of the query (`j < query.length`), so the last word is never
matched whole: 自适应池化 was searched as 自*, 动态图 as 动态*. The hook fixes that bound in the
search worker it copies (`<=`); it fails the build if the worker's code is not the one it knows.

Code blocks are left out of the index: every page's snippets would otherwise be more than a third
of it, the index is fetched on every page load, and a page that only uses an API in its code should
not outrank the page that explains it. Inline code in the prose stays searchable.
"""

import json
import os
import re
from pathlib import Path

import yaml
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

KEYWORDS_FILE = "search-keywords.yml"  # in docs_dir

CONFIG_SCRIPT = re.compile(
    r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S
)


CODE_BLOCK = re.compile(r"<pre\b[^>]*>.*?</pre>", re.S)


def _without_code_blocks(docs):
    return [dict(d, text=CODE_BLOCK.sub(" ", d["text"])) for d in docs]


def load_keywords(docs_dir):
    """{language: {"q12-gpu.html": [keyword, ...]}} from docs/search-keywords.yml."""
    data = yaml.safe_load((Path(docs_dir) / KEYWORDS_FILE).read_text(encoding="utf-8"))
    found = {}
    for page, languages in data.items():
        for language, words in languages.items():
            words = [str(w) for w in words]
            if any("torch" in w.lower() for w in words):
                raise PluginError(f"{KEYWORDS_FILE}: {page} ({language}): no keyword with torch")
            found.setdefault(language, {})[f"{page}.html"] = words
    return found


def _with_keywords(index, keywords):
    """The page entries (no #anchor) get a `keywords` field (declared in plugins.search.fields)."""
    if "keywords" not in index["config"].get("fields", {}):
        raise PluginError("mkdocs.yml: plugins.search.fields must declare `keywords`")
    docs = [
        dict(d, keywords=" , ".join(keywords[d["location"]])) if d["location"] in keywords else d
        for d in index["docs"]
    ]
    missing = set(keywords) - {d["location"] for d in docs}
    if missing:
        raise PluginError(f"{KEYWORDS_FILE} names pages that are not built: {sorted(missing)}")
    return dict(index, docs=docs)


def _write_index(folder, index, keywords):
    folder.mkdir(parents=True, exist_ok=True)
    index = dict(index, docs=_without_code_blocks(index["docs"]))
    index = _with_keywords(index, keywords)
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    (folder / "search_index.json").write_text(text, encoding="utf-8")
    (folder / "search_index.js").write_text(f"var __index = {text}", encoding="utf-8")


# Material 9.8's search worker, query/segment/index.ts:
# `for (let j = i + 1; j < query.length; j++) if (query.slice(i, j) in index) ...`
SEGMENT_LOOP = "for(let o=s+1;o<t.length;o++)t.slice(s,o)in e"
SEGMENT_LOOP_FIXED = "for(let o=s+1;o<=t.length;o++)t.slice(s,o)in e"


def _fix_query_segmentation(site):
    workers = list((site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    if len(workers) != 1:
        raise PluginError(f"expected one Material search worker, found {workers}")
    text = workers[0].read_text(encoding="utf-8")
    if text.count(SEGMENT_LOOP_FIXED) == 1:  # a rebuild that kept the copied worker
        return
    if text.count(SEGMENT_LOOP) != 1:
        raise PluginError(
            f"{workers[0].name}: Material's Chinese query segmentation changed; review "
            "docs/hooks/search_per_language.py (SEGMENT_LOOP)"
        )
    workers[0].write_text(text.replace(SEGMENT_LOOP, SEGMENT_LOOP_FIXED), encoding="utf-8")


def _rebase(html, language_root):
    text = html.read_text(encoding="utf-8")

    def replace(match):
        config = json.loads(match.group(2))
        config["base"] = Path(os.path.relpath(language_root, html.parent)).as_posix()
        return match.group(1) + json.dumps(config, ensure_ascii=False) + match.group(3)

    html.write_text(CONFIG_SCRIPT.sub(replace, text, count=1), encoding="utf-8")


@event_priority(-200)  # after mkdocs-static-i18n (-100) has built every language
def on_post_build(config):
    i18n = config.plugins.get("i18n")
    if i18n is None or i18n.building:  # a language build inside the i18n plugin's loop
        return
    site = Path(config.site_dir)
    _fix_query_segmentation(site)
    merged_path = site / "search" / "search_index.json"
    merged = json.loads(merged_path.read_text(encoding="utf-8"))
    others = [lang.locale for lang in i18n.config.languages if not lang.default and lang.build]
    root_docs = list(merged["docs"])
    keywords = load_keywords(config.docs_dir)
    for locale in others:
        prefix = f"{locale}/"
        docs = [
            dict(d, location=d["location"][len(prefix) :])
            for d in root_docs
            if d["location"].startswith(prefix)
        ]
        root_docs = [d for d in root_docs if not d["location"].startswith(prefix)]
        _write_index(site / locale / "search", dict(merged, docs=docs), keywords.get(locale, {}))
        for html in (site / locale).rglob("*.html"):
            _rebase(html, site / locale)
    default = next(lang.locale for lang in i18n.config.languages if lang.default)
    _write_index(site / "search", dict(merged, docs=root_docs), keywords.get(default, {}))
