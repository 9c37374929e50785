"""The Jupyter notebook of every Q&A page: made from the page, on the site, and runs top to bottom.

docs/hooks/notebooks.py generates the notebooks at build time; the same function builds them here.
Each notebook runs on CPU, top to bottom, in an IPython shell in a fresh working directory, with
its caches there and the stand-ins its snippets declare (tests/notebook_runner.py): that run is
also the one execution of every snippet whose tests assert on it. Code cells are the same in both
languages (checked below), so the English notebooks are the ones run.
"""

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import snippet_needs
from notebook_runner import LANGUAGE, hook
from pages import DOCS, LANGUAGES, parse
from snippet_runner import SNIPPETS, expected_output_path, normalise

QA_NAMES = [p.stem for p in hook.qa_pages("en")]


def page_path(language, name):
    return DOCS / language / f"{name}.md"


def code_cells(notebook):
    return [c["source"] for c in notebook["cells"] if c["cell_type"] == "code"]


def page_snippets(page):
    """The snippet files a page includes, as the notebook's code cells should hold them."""
    return [hook.snippet_source(path) for path in page.includes if path.endswith(".py")]


def snippet_cells(notebook):
    """Code cells that hold a snippet (a torchrun launch cell only starts one), as
    (the file named on their first line, the code after it)."""
    cells = []
    for source in code_cells(notebook):
        if re.search(r"^!.*torch\.distributed\.run", source, re.M):
            continue
        first, _, code = re.sub(r"^%%writefile \S+\n", "", source).partition("\n")
        cells.append((first, code + "\n"))
    return cells


def test_every_qa_page_has_a_notebook_in_each_language():
    for language in LANGUAGES:
        assert [p.stem for p in hook.qa_pages(language)] == QA_NAMES


@pytest.mark.parametrize("name", QA_NAMES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_code_cells_are_the_page_snippets_in_order(language, name):
    page = parse(page_path(language, name))
    notebook = hook.build_notebook(page.path, language)
    # Each snippet cell names its file first, then holds exactly what the copy button copies.
    names = [f"# snippets/{path}" for path in page.includes if path.endswith(".py")]
    assert [first for first, _ in snippet_cells(notebook)] == names
    assert [code for _, code in snippet_cells(notebook)] == page_snippets(page)
    assert all(not re.search(r"#\s*\(\d+\)!", s) for s in code_cells(notebook))
    assert not any("--8<--" in c["source"] for c in notebook["cells"])
    assert all(not c.get("outputs") for c in notebook["cells"] if c["cell_type"] == "code")
    # Text: the title first, admonitions as block quotes, no recorded-output blocks.
    assert notebook["cells"][0]["source"].startswith(f"# {page.headings[0][1]}")
    markdown = "\n".join(c["source"] for c in notebook["cells"] if c["cell_type"] == "markdown")
    assert not re.search(r"^(?:!!!|\?\?\?)", markdown, re.M)
    assert len(re.findall(r"^> \*\*[^*]+\*\*$", markdown, re.M)) == len(page.admonitions)


@pytest.mark.parametrize("name", QA_NAMES)
def test_code_cells_are_the_same_in_both_languages(name):
    zh, en = (hook.build_notebook(page_path(lang, name), lang) for lang in LANGUAGES)
    assert code_cells(zh) == code_cells(en)


def test_notebooks_are_valid_nbformat():
    nbformat = pytest.importorskip("nbformat")
    for language in LANGUAGES:
        for name in QA_NAMES:
            text = hook.notebook_text(hook.build_notebook(page_path(language, name), language))
            nbformat.validate(nbformat.reads(text, as_version=4))


def _torch_with(gpus):
    """Just enough of torch for the launch cell's process count."""
    cuda = SimpleNamespace(is_available=lambda: gpus > 0, device_count=lambda: gpus)
    return SimpleNamespace(cuda=cuda)


@pytest.mark.parametrize("gpus", [0, 1, 2, 8])
def test_launch_cells_start_snippets_as_the_suite_does(gpus):
    """One declaration (snippets/snippets.toml) gives the suite's torchrun arguments and the
    notebook's launch cell: the same module, options and number of processes."""
    launched = [n for n in snippet_needs.load().values() if n.launcher]
    assert launched, "no snippet declares a launcher: nothing to check"
    for needs in launched:
        cell = snippet_needs.notebook_launch_cell(needs)
        suite = snippet_needs.launcher_arguments(needs, gpus > 0, gpus)
        nproc = eval(snippet_needs.PROCESSES_EXPRESSION, {"torch": _torch_with(gpus)})
        command = re.search(r"^!\{sys\.executable\} (.*)$", cell, re.M)[1]
        name = needs.include.split("/")[-1]
        assert command.replace("{nproc}", str(nproc)) == " ".join([*suite, name])
        pages_with_it = [
            hook.build_notebook(page_path("en", n), "en")
            for n in QA_NAMES
            if needs.include in parse(page_path("en", n)).includes
        ]
        assert pages_with_it, f"{needs.include} is on no page"
        for notebook in pages_with_it:
            assert cell in code_cells(notebook)


# -------------------------------------------------------------------------------------------
# On the built site (the `site` fixture of tests/conftest.py)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_site_has_each_notebook_rendered_and_downloadable(site, language):
    root = site if language == "zh" else site / language
    for name in QA_NAMES:
        html = root / "notebooks" / f"{name}.html"
        ipynb = root / "notebooks" / f"{name}.ipynb"
        assert html.exists(), html
        text = html.read_text(encoding="utf-8")
        assert f'<html lang="{language}"' in text
        assert "jp-Notebook" in text or "jupyter-wrapper" in text, f"{html} is not a notebook"
        assert '<script src="">' not in text, f"{html} keeps the empty MathJax loader"
        served = json.loads(ipynb.read_text(encoding="utf-8"))
        assert served == hook.build_notebook(page_path(language, name), language)
        page = (root / f"{name}.html").read_text(encoding="utf-8")
        assert f'href="notebooks/{name}.html"' in page, f"{name}.html does not link its notebook"
        assert f'href="notebooks/{name}.ipynb" download' in page, f"{name}.html: no download"


def test_notebook_pages_stay_out_of_the_search_index(site):
    for root in (site, site / "en"):
        index = json.loads((root / "search" / "search_index.json").read_text(encoding="utf-8"))
        assert not [d for d in index["docs"] if d["location"].startswith("notebooks/")]


# -------------------------------------------------------------------------------------------
# Executed: each notebook runs top to bottom in an IPython shell (tests/notebook_runner.py). In
# the full session its cells have already run, one at a time, as the snippets' own tests needed
# them (each snippet runs once); what is left runs here.


@pytest.mark.parametrize("name", QA_NAMES)
def test_notebook_runs_top_to_bottom_on_cpu(page_runs, name):
    import torch

    assert not torch.cuda.is_available(), "the CPU session hides the GPUs (CUDA_VISIBLE_DEVICES=)"
    run = page_runs[name]
    results = run.finish()
    assert list(results) == run.includes, "every snippet cell ran, in the page's order"
    failed = {include: r.error for include, r in results.items() if r.error}
    assert failed == {}, f"notebooks/{name}.ipynb ({LANGUAGE}) failed"
    # What each cell printed is what its recording holds: the output the page shows.
    for include, result in results.items():
        recorded = expected_output_path(SNIPPETS / include, "cpu")
        expected = recorded.read_text(encoding="utf-8") if recorded.exists() else ""
        assert normalise(result.run.stdout) == normalise(expected), f"snippets/{include}"
    seconds = ", ".join(f"{Path(i).stem} {r.seconds:.1f} s" for i, r in results.items())
    print(f"notebooks/{name}.ipynb: {seconds}")
