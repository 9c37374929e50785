"""Every Q&A page as a Jupyter notebook, generated at build time from the page and its snippets.

`build_notebook(page_path)` turns docs/<lang>/qNN-*.md into an nbformat 4 notebook (a dict): the
page's text as Markdown cells and each snippet include as a code cell holding a first comment line
that names the file (`# snippets/q11_backprop/training_loop.py`, so a reader can find it) and then
the snippet file minus its `# (n)!` annotation markers, in the page's order. The page is read with
the parser the tests use (page_blocks.py); a snippet that snippets/snippets.toml says a reader
starts with torchrun is written by a %%writefile cell and started by the next one. The annotation
list after a snippet stays as Markdown (it explains the code); the recorded-output block is
dropped (running the cell prints it); admonitions become block quotes with their title in bold.
Notebooks carry no outputs.
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
import page_blocks
import snippet_needs
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
FOLDER = "notebooks"
QA_PAGE = re.compile(r"^q\d+-.+\.md$")

# The markers that let the cheat sheet include a page's key points; nothing for a notebook.
SECTION_MARKER = re.compile(r"^\s*<!-- --8<-- \[(?:start|end):[\w-]+\] -->\s*$")
# nbconvert's template always writes a MathJax loader; with no custom_mathjax_url its src is empty.
MATHJAX = re.compile(
    r'<!-- Load mathjax -->\s*<script src="">\s*</script>.*?<!-- End of mathjax configuration -->',
    re.S,
)

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
    return snippet_needs.reader_source(include)


def source_line(include):
    """The first line of a snippet's code cell: which file of the repository it is."""
    return f"# snippets/{include}"


def _code_cells(include, declared):
    """A snippet's code cells: its file, named in a first comment line; a snippet that a reader
    starts with a launcher (torchrun) is written to a file by %%writefile, then launched."""
    source = f"{source_line(include)}\n{snippet_source(include)}"
    needs = snippet_needs.needs(include, declared)
    if needs.launcher:
        name = PurePosixPath(include).name
        return [
            _cell("code", f"%%writefile {name}\n{source}"),
            _cell("code", snippet_needs.notebook_launch_cell(needs)),
        ]
    return [_cell("code", source)]


def build_notebook(page_path, language=None, declared=None):
    """The notebook for one Q&A page, as an nbformat 4 dict with no outputs.

    The page is read with the parser the tests use (page_blocks): a fence that includes a .py
    snippet becomes code cells, one that includes its .out is dropped, other fences stay in the
    text; admonitions become block quotes, their title in bold, and a snippet inside one (a
    folded measurement) becomes its code cell there too.
    """
    page_path = Path(page_path)
    language = language or page_path.parent.name
    declared = snippet_needs.load() if declared is None else declared
    blocks = page_blocks.parse(page_path.read_text(encoding="utf-8"), where=str(page_path))
    lines = blocks.lines
    fences = {fence.start: fence for fence in blocks.fences}
    openings = {admonition.line: admonition for admonition in blocks.admonitions}
    cells, text = [], []

    def flush():
        if "\n".join(text).strip():
            cells.append(_cell("markdown", "\n".join(text)))
        text.clear()

    def quoted(line, depth):
        """A line inside `depth` admonitions: their indentation off, a `> ` per admonition."""
        body = line[4 * depth :] if line[: 4 * depth].strip() == "" else line.lstrip()
        return ("> " * depth + body).rstrip()

    def last_text_line(admonition):
        """The admonition's last non-blank line: blank lines after it end the quote."""
        return max(n for n in range(admonition.line, admonition.end + 1) if lines[n - 1].strip())

    number = 1
    while number <= len(lines):
        line = lines[number - 1]
        depth = blocks.depth(number)
        inside = [a for a in blocks.admonitions if a.line < number <= a.end]
        if number in fences:
            fence = fences[number]
            if fence.include and fence.include.endswith(".py"):
                flush()
                cells.extend(_code_cells(fence.include, declared))
            elif not fence.include:  # an ordinary fence stays in the text; output includes go
                text.extend(quoted(body, depth) for body in lines[number - 1 : fence.end])
            number = fence.end + 1
            continue
        if number in openings:
            admonition = openings[number]
            title = admonition.title or admonition.kind.capitalize()
            text.append(quoted(f"{' ' * 4 * depth}> **{title}**", depth))
            text.append(quoted(f"{' ' * 4 * depth}>", depth))
        elif SECTION_MARKER.match(line):
            pass
        elif not line.strip() and any(number > last_text_line(a) for a in inside):
            text.append("")
        else:
            text.append(quoted(line, depth))
        number += 1
    flush()
    for index, cell in enumerate(cells):
        cell["id"] = f"{page_path.stem[:3]}-{index:03d}"
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
