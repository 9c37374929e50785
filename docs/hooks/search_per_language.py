"""Give each language its own search index, so that a reader gets results in the page's language.

mkdocs-static-i18n builds every language into one site and merges their search entries into a
single search/search_index.json, which Material loads from `<base>/search/` on every page: a
reader on an English page gets Chinese results too (upstream: ultrabug/mkdocs-static-i18n#271).
After the last language is built, this hook splits that index by language folder, writes
en/search/search_index.json (and the .js copy that the offline plugin uses on file://), keeps only
the default language at the root, and points the `base` of each page outside the default language
at its own language folder. `base` only locates the search index and its results here: the
site does not use instant navigation or versioning.

Code blocks are left out of the index: every page's snippets would otherwise be more than a third
of it, the index is fetched on every page load, and a page that only uses an API in its code should
not outrank the page that explains it. Inline code in the prose stays searchable.
"""

import json
import os
import re
from pathlib import Path

from mkdocs.plugins import event_priority

CONFIG_SCRIPT = re.compile(
    r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S
)


CODE_BLOCK = re.compile(r"<pre\b[^>]*>.*?</pre>", re.S)


def _without_code_blocks(docs):
    return [dict(d, text=CODE_BLOCK.sub(" ", d["text"])) for d in docs]


def _write_index(folder, index):
    folder.mkdir(parents=True, exist_ok=True)
    index = dict(index, docs=_without_code_blocks(index["docs"]))
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    (folder / "search_index.json").write_text(text, encoding="utf-8")
    (folder / "search_index.js").write_text(f"var __index = {text}", encoding="utf-8")


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
    merged_path = site / "search" / "search_index.json"
    merged = json.loads(merged_path.read_text(encoding="utf-8"))
    others = [lang.locale for lang in i18n.config.languages if not lang.default and lang.build]
    root_docs = list(merged["docs"])
    for locale in others:
        prefix = f"{locale}/"
        docs = [
            dict(d, location=d["location"][len(prefix) :])
            for d in root_docs
            if d["location"].startswith(prefix)
        ]
        root_docs = [d for d in root_docs if not d["location"].startswith(prefix)]
        _write_index(site / locale / "search", dict(merged, docs=docs))
        for html in (site / locale).rglob("*.html"):
            _rebase(html, site / locale)
    _write_index(site / "search", dict(merged, docs=root_docs))
