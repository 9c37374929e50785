"""The Jupyter notebook of every Q&A page: made from the page, on the site, and runs top to bottom.

docs/hooks/notebooks.py generates the notebooks at build time; the same function builds them here.
Each notebook is executed with nbclient on CPU in a fresh working directory, with its caches
there, the stand-ins the snippet tests stage (prepare_workdir), and the kernel network-guarded and
seeded like a multiprocess snippet. Code cells are the same in both languages (checked below), so
only the English notebooks are executed, several kernels at a time.
"""

import asyncio
import importlib.util
import json
import os
import re
import time
from types import SimpleNamespace

import pytest
import snippet_needs
from pages import DOCS, LANGUAGES, parse
from snippet_runner import ROOT, SEED, TESTS

HOOK = ROOT / "docs" / "hooks" / "notebooks.py"
EXECUTED_LANGUAGE = "en"
CELL_TIMEOUT = 300
CONCURRENT_KERNELS = int(os.environ.get("NOTEBOOK_KERNELS", "4"))


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hook = _load(HOOK, "docs_hooks_notebooks")
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
# Executed


def prepare(name, workdir):
    """Stage what the page's snippet tests stage (weights, images) via their prepare_workdir."""
    page = parse(page_path(EXECUTED_LANGUAGE, name))
    for include in page.includes:
        needs = snippet_needs.needs(include)
        if include.endswith(".py") and needs.stand_ins:
            test = needs.test_path
            module = _load(test, f"notebook_prep_{test.parent.name}_{test.stem}")
            module.prepare_workdir(workdir)


def kernel_env(workdir):
    env = dict(os.environ)
    guard = [str(TESTS / "netguard_site"), str(TESTS)]
    env["PYTHONPATH"] = os.pathsep.join(guard + [p for p in [env.get("PYTHONPATH")] if p])
    env["SNIPPET_SEED"] = str(SEED)
    env["CUDA_VISIBLE_DEVICES"] = ""
    for name in ("TORCH_HOME", "XDG_CACHE_HOME", "MPLCONFIGDIR"):
        env[name] = str(workdir / f".{name.lower()}")
    return env


async def _execute(name, workdir, semaphore):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.from_dict(
        hook.build_notebook(page_path(EXECUTED_LANGUAGE, name), EXECUTED_LANGUAGE)
    )
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
    )
    async with semaphore:
        started = time.perf_counter()
        try:
            await client.async_execute(env=kernel_env(workdir))
        except CellExecutionError as exc:
            return name, str(exc)[-4000:], notebook, time.perf_counter() - started
        return name, None, notebook, time.perf_counter() - started


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    workdirs = {}
    for name in QA_NAMES:
        workdirs[name] = tmp_path_factory.mktemp(f"nb-{name}")
        prepare(name, workdirs[name])

    async def run_all():
        semaphore = asyncio.Semaphore(CONCURRENT_KERNELS)
        return await asyncio.gather(*(_execute(n, workdirs[n], semaphore) for n in QA_NAMES))

    started = time.perf_counter()
    results = asyncio.run(run_all())
    total = time.perf_counter() - started
    times = ", ".join(f"{n[:3]} {s:.0f} s" for n, _, _, s in results)
    print(f"notebooks executed in {total:.1f} s ({CONCURRENT_KERNELS} kernels at once): {times}")
    return {name: (error, notebook) for name, error, notebook, _ in results}


def outputs(cell):
    return "".join(
        o.get("text", "") + "".join(o.get("data", {}).get("text/plain", ""))
        for o in cell.get("outputs", [])
    )


@pytest.mark.parametrize("name", QA_NAMES)
def test_notebook_runs_top_to_bottom_on_cpu(executed, name):
    error, notebook = executed[name]
    assert error is None, f"notebooks/{name}.ipynb ({EXECUTED_LANGUAGE}) failed:\n{error}"
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not [o for o in cell.outputs if o.get("output_type") == "error"]
            # A shell command does not raise in IPython: check that the launched script ran.
            if re.search(r"^!.*torch\.distributed\.run", cell.source, re.M):
                assert "replicas identical: True" in outputs(cell), outputs(cell)[-4000:]
