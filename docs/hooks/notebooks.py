"""Every Q&A page as a Jupyter notebook, generated at build time from the page and its snippets.

`build_notebook(page_path)` turns docs/<lang>/qNN-*.md into an nbformat 4 notebook (a dict): the
page's text as Markdown cells and each snippet include as a code cell holding the snippet file
minus its `# (n)!` annotation markers, in the page's order. The annotation list after a snippet
stays as Markdown (it explains the code); the recorded-output block is dropped (running the cell
prints it); admonitions become block quotes with their title in bold. Notebooks carry no outputs.
The tests import this function and execute the same notebooks (tests/notebooks/).

At build time the notebooks are written to a temporary folder and added to each language's build
as generated files at <lang>/notebooks/<page>.ipynb, after mkdocs-static-i18n has arranged the
language's files, so that the default language gets notebooks/<page>.html and the others
<lang>/notebooks/<page>.html. mkdocs-jupyter renders them (it reads `abs_src_path`), and with
`include_source: true` it copies the .ipynb next to its page for download. Each Q&A page gets a
line near its top linking to both. Notebook pages repeat their Q&A page word for word, so they are
left out of the search index.

Nothing is committed: the notebooks cannot drift from the pages.
"""

import json
import re
import tempfile
from pathlib import Path, PurePosixPath

import mkdocs.utils
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
FOLDER = "notebooks"
QA_PAGE = re.compile(r"^q\d+-.+\.md$")

FENCE = re.compile(r"^(?P<ticks>`{3,}|~{3,})[ \t]*(?P<info>.*?)[ \t]*$")
INCLUDE = re.compile(r'^\s*--8<--\s+"(?P<path>[^"]+)"\s*$')
ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?)\s+(?P<kind>[\w-]+)(?:\s+"(?P<title>[^"]*)")?\s*$')
MARKER = re.compile(r"[ \t]*#\s*\(\d+\)!$", re.M)
# The markers that let the cheat sheet include a page's key points; nothing for a notebook.
SECTION_MARKER = re.compile(r"^\s*<!-- --8<-- \[(?:start|end):[\w-]+\] -->\s*$")
# nbconvert's template always writes a MathJax loader; with no custom_mathjax_url its src is empty.
MATHJAX = re.compile(
    r'<!-- Load mathjax -->\s*<script src="">\s*</script>.*?<!-- End of mathjax configuration -->',
    re.S,
)

# Snippets a reader starts with torchrun rather than running in place (tests/q16_data_parallel/
# test_ddp_train.py launches the same way). In a notebook: write the file, then launch it.
TORCHRUN = {"q16_data_parallel/ddp_train.py": "--standalone --nproc-per-node=2"}

LINK_LINE = {
    "zh": "本页的 Jupyter 笔记本：[查看]({view}) · {download}",
    "en": "Jupyter notebook of this page: [view]({view}) · {download}",
}
DOWNLOAD = {"zh": "下载 .ipynb", "en": "download .ipynb"}
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def qa_pages(language):
    return sorted(p for p in (DOCS / language).glob("*.md") if QA_PAGE.match(p.name))


def _cell(kind, source, **extra):
    source = source.strip("\n")
    cell = {"cell_type": kind, "id": "", "metadata": {}, "source": source}
    if kind == "code":
        cell |= {"execution_count": None, "outputs": []}
    return cell | extra


def snippet_source(include):
    """A snippet file as a reader copies it: the annotation markers removed."""
    return MARKER.sub("", (SNIPPETS / include).read_text(encoding="utf-8")).rstrip() + "\n"


def _code_cells(include):
    source = snippet_source(include)
    if include in TORCHRUN:
        name = PurePosixPath(include).name
        return [
            _cell("code", f"%%writefile {name}\n{source}"),
            _cell(
                "code",
                "import sys\n\n"
                f"!{{sys.executable}} -m torch.distributed.run {TORCHRUN[include]} {name}",
            ),
        ]
    return [_cell("code", source)]


def _admonition(lines, start):
    """`!!! kind "title"` and its indented body -> a block quote; returns (markdown, next)."""
    match = ADMONITION.match(lines[start])
    title = match["title"] or match["kind"].capitalize()
    body, index = [], start + 1
    while index < len(lines) and (not lines[index].strip() or lines[index].startswith("    ")):
        body.append(lines[index][4:])
        index += 1
    while body and not body[-1].strip():
        body.pop()
    quoted = [f"> **{title}**", ">"] + [f"> {line}".rstrip() for line in body]
    return "\n".join(quoted), index


def build_notebook(page_path, language=None):
    """The notebook for one Q&A page, as an nbformat 4 dict with no outputs."""
    page_path = Path(page_path)
    language = language or page_path.parent.name
    lines = page_path.read_text(encoding="utf-8").splitlines()
    lines = [line for line in lines if not SECTION_MARKER.match(line)]
    cells, text = [], []

    def flush():
        if "\n".join(text).strip():
            cells.append(_cell("markdown", "\n".join(text)))
        text.clear()

    index = 0
    while index < len(lines):
        line = lines[index]
        fence = FENCE.match(line)
        if fence:
            end = index + 1
            while not (
                FENCE.match(lines[end])
                and not FENCE.match(lines[end])["info"]
                and lines[end].lstrip().startswith(fence["ticks"])
            ):
                end += 1
            body = [b for b in lines[index + 1 : end] if b.strip()]
            include = INCLUDE.match(body[0]) if len(body) == 1 else None
            if include and include["path"].endswith(".py"):
                flush()
                cells.extend(_code_cells(include["path"]))
            elif not include:  # an ordinary fence stays in the text; output includes go
                text.extend(lines[index : end + 1])
            index = end + 1
            continue
        if ADMONITION.match(line):
            quoted, end = _admonition(lines, index)
            body = [b[4:] for b in lines[index + 1 : end]]
            if any(FENCE.match(b) for b in body):
                # A fold around code (`??? example` with a snippet and its output): its title
                # as a block quote, then its body like the rest of the page.
                text.append(quoted.split("\n", 1)[0])
                lines[index:end] = ["", *body]
                index += 1
                continue
            text.append(quoted)
            index = end
            continue
        text.append(line)
        index += 1
    flush()
    for number, cell in enumerate(cells):
        cell["id"] = f"{page_path.stem[:3]}-{number:03d}"
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": KERNELSPEC,
            "language_info": {"name": "python"},
            "source": f"docs/{language}/{page_path.name}",
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def notebook_text(notebook):
    return json.dumps(notebook, ensure_ascii=False, indent=1) + "\n"


# ---------------------------------------------------------------------------------------------
# MkDocs events

_state = {}


def on_config(config):
    # Under mkdocs-static-i18n a notebook is a page only if .ipynb counts as documentation
    # (upstream: ultrabug/mkdocs-static-i18n#198); otherwise it is copied as a raw file.
    if ".ipynb" not in mkdocs.utils.markdown_extensions:
        mkdocs.utils.markdown_extensions = (*mkdocs.utils.markdown_extensions, ".ipynb")
    _state["tmp"] = tempfile.TemporaryDirectory(prefix="mkdocs-notebooks-")
    folder = Path(_state["tmp"].name)
    for language in _languages(config):
        for page in qa_pages(language):
            target = folder / language / FOLDER / page.with_suffix(".ipynb").name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(notebook_text(build_notebook(page, language)), encoding="utf-8")
    return config


def _languages(config):
    i18n = config.plugins.get("i18n")
    if i18n is None:
        return ["zh"]
    return [lang.locale for lang in i18n.config.languages if lang.build]


def _default_language(config):
    i18n = config.plugins.get("i18n")
    return next(lang.locale for lang in i18n.config.languages if lang.default)


def _notebook_file(config, language, name):
    src_uri = f"{language}/{FOLDER}/{name}"
    file = File.generated(
        config, src_uri, abs_src_path=str(Path(_state["tmp"].name) / language / FOLDER / name)
    )
    stem = PurePosixPath(name).stem
    prefix = "" if language == _default_language(config) else f"{language}/"
    file.dest_uri = (
        f"{prefix}{FOLDER}/{stem}/index.html"
        if config.use_directory_urls
        else f"{prefix}{FOLDER}/{stem}.html"
    )
    file.url = file._get_url(config.use_directory_urls)
    # What mkdocs-static-i18n sets on the files it arranges (language switcher, sitemap).
    file.locale = file.localization = language
    file.norm_src_uri = f"{FOLDER}/{name}"
    return file


@event_priority(-150)  # after mkdocs-static-i18n (-100) has chosen this language's files
def on_files(files, config):
    i18n = config.plugins.get("i18n")
    current = i18n.current_language if i18n else "zh"
    languages = _languages(config)
    for page in qa_pages(current):
        name = page.with_suffix(".ipynb").name
        versions = {language: _notebook_file(config, language, name) for language in languages}
        for file in versions.values():
            file.alternates = versions
            file.locale_alternate_of = current
        files.append(versions[current])
    return files


def on_page_markdown(markdown, page, config, files):
    if not QA_PAGE.match(PurePosixPath(page.file.src_uri).name):
        return markdown
    language = PurePosixPath(page.file.src_uri).parts[0]
    name = PurePosixPath(page.file.src_uri).with_suffix(".ipynb").name
    notebook = files.get_file_from_path(f"{language}/{FOLDER}/{name}")
    if notebook is None:
        return markdown
    # The rendered notebook through an ordinary link (MkDocs checks it); the raw .ipynb, which
    # mkdocs-jupyter copies next to the notebook page, through raw HTML that MkDocs leaves alone.
    ipynb = get_relative_url(
        str(PurePosixPath(notebook.dest_uri).parent / name), page.file.url or "."
    )
    download = f'<a href="{ipynb}" download>{DOWNLOAD[language]}</a>'
    line = LINK_LINE[language].format(view=f"{FOLDER}/{name}", download=download)
    title, newline, rest = markdown.partition("\n")
    return f"{title}{newline}\n{line}\n{rest}"


@event_priority(100)  # before the search plugin reads the page
def on_page_context(context, page, config, nav):
    if page.file.src_uri.endswith(".ipynb"):
        page.meta["search"] = {"exclude": True}
    return context


def on_post_page(output, page, config):
    # No math on these pages, and nothing may be loaded from a CDN: drop the empty MathJax loader.
    if page.file.src_uri.endswith(".ipynb"):
        return MATHJAX.sub("", output, count=1)
    return output


@event_priority(-200)  # after mkdocs-static-i18n (-100) has built every language
def on_post_build(config):
    i18n = config.plugins.get("i18n")
    if i18n is not None and i18n.building:
        return
    if "tmp" in _state:
        _state.pop("tmp").cleanup()
