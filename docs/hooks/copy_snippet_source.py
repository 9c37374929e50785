"""Make a code block's copy button copy its snippet file exactly, minus the annotation markers,
and link the block's title to the snippet and to its test in the repository.

Material copies the text of the rendered code, where each `# (1)!` marker has become an
annotation button: the reader would get the spaces that stood before the marker at the end of
those lines. Material copies an ancestor's `data-copy` attribute instead when there is one, so
each block titled with a snippet path gets its file's text, with the markers removed.

With `repo_url` set (the published build sets it from the workflow's repository), the title
`snippets/q11_backprop/x.py` links to that file and a "test" link to tests/q11_backprop/test_x.py.
"""

import html
import re
from pathlib import PurePosixPath

import snippet_needs
from mkdocs.plugins import event_priority

BLOCK = re.compile(
    r'<div class="highlight"><span class="filename">snippets/(?P<include>[^<]+\.py)</span>'
)
TEST = {"zh": "测试", "en": "test"}


@event_priority(100)  # before mkdocs-static-i18n (-100) keeps the config for each language
def on_config(config):
    # Edit buttons need the repository: a build without SITE_REPO_URL has none (MkDocs would
    # otherwise warn that edit_uri alone is no URL, and strict mode would fail).
    if not config.repo_url:
        config.edit_uri = None
    return config


def source_url(config):
    """https://github.com/<owner>/<repo>/blob/<branch>/ from repo_url and edit_uri, or None."""
    repo = (config.repo_url or "").rstrip("/")
    if not repo:
        return None
    branch = re.match(r"^(?:edit|blob)/([^/]+)/", config.edit_uri or "")
    return f"{repo}/blob/{branch[1] if branch else 'main'}/"


def title(include, base, language):
    if base is None:
        return f"snippets/{include}"
    path = PurePosixPath(include)
    test = f"tests/{path.parent}/test_{path.name}"
    return (
        f'<a href="{base}snippets/{include}">snippets/{include}</a>'
        f' · <a href="{base}{test}" title="{test}">{TEST.get(language, "test")}</a>'
    )


def on_post_page(output, page, config):
    base = source_url(config)
    language = config.theme["language"]

    def add_copy(match):
        include = match["include"]
        source = snippet_needs.reader_source(include)
        return (
            f'<div class="highlight" data-copy="{html.escape(source.rstrip(), quote=True)}">'
            f'<span class="filename">{title(include, base, language)}</span>'
        )

    return BLOCK.sub(add_copy, output)
