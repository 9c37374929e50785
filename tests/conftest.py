import os
from pathlib import Path
from types import SimpleNamespace

import checkout
import netguard
import pytest
import release_results
import snippet_needs
import tested_with
from snippet_runner import (
    ROOT,
    SnippetError,
    check_output,
    declaration_problems,
    execute,
    snippet_for_test,
)

REQUIRE_GPU = os.environ.get("REQUIRE_GPU") == "1"
# What each snippet needs, declared once (snippets/snippets.toml); a bad entry stops the run here.
DECLARED = snippet_needs.load()
NEEDS_CUDA = (
    "proves the CUDA path, so it runs only where CUDA is available "
    "(`python3 .ci/gpu.py` or `nox -s tests_gpu` on a GPU machine)"
)


def pytest_addoption(parser):
    parser.addoption(
        "--update-outputs",
        action="store_true",
        help="rewrite the recorded outputs (snippets/**/*.out) from what the snippets print now",
    )


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "gpu: the snippet has a GPU path (declared in snippets/snippets.toml); "
        "the tests_gpu session and .ci/gpu.py run it on CUDA",
    )
    config.addinivalue_line(
        "markers",
        "multiprocess: the snippet starts processes (declared in snippets/snippets.toml); "
        "it runs as a subprocess",
    )
    config.addinivalue_line(
        "markers", "cuda: proves that a gpu snippet's CUDA path ran; skipped where there is no CUDA"
    )
    config.addinivalue_line(
        "markers",
        "planted_build(plant): the test's `planted_build` is a strict build of a copy of the "
        "sources that plant(root) changed, started when collection finishes",
    )
    netguard.install()
    # Per-snippet results: the release matrix writes them (RELEASE_RESULTS), a guard reads them.
    results = release_results.Results(os.environ.get("RELEASE_RESULTS"))
    config.pluginmanager.register(results, release_results.NAME)


def declared_needs(test_file):
    """The declaration of the snippet a question's test module mirrors; None for other tests."""
    test_file = Path(test_file)
    if tested_with.question_of(test_file) and test_file.name.startswith("test_"):
        return snippet_needs.for_test_file(test_file, DECLARED)
    return None


def pytest_itemcollected(item):
    # The gpu and multiprocess marks come from the declaration, before -m selects on them.
    needs = declared_needs(item.path)
    for mark in sorted(needs.marks if needs else ()):
        item.add_marker(mark)


RECORDER = tested_with.Recorder(DECLARED)
# Which Q&A page holds each snippet, in page order (read without the docs stack: the GPU machine
# has none).
SNIPPET_PAGES = snippet_needs.snippet_pages()

# Pages whose snippet tests are all selected: their snippets run once, as the page's notebook
# (tests/notebook_runner.py). Otherwise (a -k or -m gpu selection) each selected snippet runs on
# its own, as a reader runs the file.
PAGE_MODE = set()
# The test that runs what is left of a page's notebook and checks it, after the snippet tests.
NOTEBOOK_RUN_TEST = "test_notebook_runs_top_to_bottom_on_cpu"


def _cell_position(item):
    needs = declared_needs(item.path)
    page = SNIPPET_PAGES.get(needs.include) if needs else None
    if page is None:
        return None
    cells = [i for i, p in SNIPPET_PAGES.items() if p == page]
    return (page, cells.index(needs.include))


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected
def pytest_collection_modifyitems(config, items):
    """Question tests in the order of their page's cells, each module's tests right after its
    own cell; the notebook runs last. Decide which pages run as notebooks."""
    positions = {item: _cell_position(item) for item in items}
    pages = {}
    for item, position in positions.items():
        if position:
            pages.setdefault(position[0], set()).add(item.path.name)
    for page, modules in pages.items():
        declared = {f"test_{Path(i).name}" for i, p in SNIPPET_PAGES.items() if p == page}
        # A release run (nox -s releases) tries each snippet as a reader copies it: on its own.
        if modules >= declared and not os.environ.get("RELEASE_RESULTS"):
            PAGE_MODE.add(page)
    first = next((i for i, item in enumerate(items) if positions[item]), len(items))
    questions = sorted((item for item in items if positions[item]), key=positions.get)
    notebook_runs = [i for i in items if getattr(i, "originalname", None) == NOTEBOOK_RUN_TEST]
    # The tests of the built site last but the notebook runs: the build (started in the
    # background when collection finishes) has the whole snippet run to finish in.
    on_site = [i for i in items if "site" in getattr(i, "fixturenames", ())]
    later = set(notebook_runs) | set(on_site)
    before, after = items[:first], items[first:]
    items[:] = [
        *(i for i in before if i not in later),
        *questions,
        *(i for i in after if not positions[i] and i not in later),
        *on_site,
        *notebook_runs,
    ]


def pytest_deselected(items):
    RECORDER.deselect(items)


def pytest_runtest_logreport(report):
    RECORDER.report(report)


def pytest_sessionfinish(session, exitstatus):
    processes = [SITE_BUILD.get("process"), *(p for _, p in PLANTED_BUILDS.values())]
    for process in processes:
        if process is not None and process.poll() is None:  # no test got to use it
            process.kill()
            process.communicate()
    # The stamp is recorded with the outputs, from this run's results.
    if session.config.getoption("--update-outputs"):
        import torch

        RECORDER.write(
            "cuda" if torch.cuda.is_available() else "cpu",
            interrupted=exitstatus == pytest.ExitCode.INTERRUPTED,
        )


# The site builds tests need (`site`, and each test's `planted_build`), started as soon as
# collection shows they are needed, so that they run on the second core while the snippet tests
# run on the first.
SITE_BUILD = {}
PLANTED_BUILDS = {}


def pytest_collection_finish(session):
    factory = session.config._tmp_path_factory
    planted = [i for i in session.items if i.get_closest_marker("planted_build")]
    if planted or any("site" in getattr(i, "fixturenames", ()) for i in session.items):
        from pages import copy_sources, start_mkdocs_build  # the GPU selection lacks the docs stack

        if any("site" in getattr(i, "fixturenames", ()) for i in session.items):
            site_dir = factory.mktemp("site")
            SITE_BUILD.update(folder=site_dir, process=start_mkdocs_build(ROOT, site_dir))
        for item in planted:
            folder = factory.mktemp("planted")
            root = copy_sources(folder / "repo")
            item.get_closest_marker("planted_build").args[0](root)
            PLANTED_BUILDS[item.nodeid] = (
                folder / "site",
                start_mkdocs_build(root, folder / "site"),
            )
    RECORDER.collection(session.items)
    # Runs after -m deselection, so it sees what will really run.
    if REQUIRE_GPU and not any(item.get_closest_marker("gpu") for item in session.items):
        raise pytest.UsageError("REQUIRE_GPU=1 but no test marked gpu was selected")


def pytest_runtest_setup(item):
    gpu = item.get_closest_marker("gpu") is not None
    if not (REQUIRE_GPU and gpu) and not item.get_closest_marker("cuda"):
        return
    import torch

    if torch.cuda.is_available():
        return
    if REQUIRE_GPU and gpu:
        pytest.fail("REQUIRE_GPU=1 but CUDA is not available (torch.cuda.is_available())")
    pytest.skip(NEEDS_CUDA)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_GPU and report.skipped and item.get_closest_marker("gpu"):
        report.outcome = "failed"
        report.longrepr = f"REQUIRE_GPU=1: a gpu test must run, not skip: {report.longrepr}"


@pytest.fixture(scope="session", autouse=True)
def _no_writes_outside_temporary_directories(request):
    """Tests and snippets write only under their tmp_path; the checkout stays as it was.

    Tracked and untracked files through git, and every file under snippets/, docs/ and tests/,
    git-ignored ones included, by size and modification time (checkout.py).
    """
    before = checkout.state(ROOT)
    yield
    if not request.config.getoption("--update-outputs"):
        changed = checkout.changes(before, checkout.state(ROOT))
        assert not changed, f"the test run changed files in the repository: {changed}"


@pytest.fixture(scope="session")
def page_runs(tmp_path_factory):
    """Each Q&A page's notebook, run cell by cell as the tests need them."""
    from notebook_runner import PageRuns  # builds notebooks: needs the docs stack

    return PageRuns(tmp_path_factory, DECLARED)


@pytest.fixture(scope="module")
def snippet(request, tmp_path_factory):
    """Run the snippet this test module mirrors, once, and check its output against the page.

    tests/q11_backprop/test_chain_rule_by_hand.py runs snippets/q11_backprop/chain_rule_by_hand.py:
    as the next cell of its page's notebook when the whole page is tested (PAGE_MODE), otherwise
    on its own the way snippets/snippets.toml declares (in process, or as a subprocess, with its
    launcher), after the module's prepare_workdir(workdir) has staged the stand-ins it declares.
    """
    import torch

    path = snippet_for_test(request.module.__file__)
    if not path.exists():
        pytest.fail(f"{request.module.__name__} mirrors {path}, which does not exist")
    needs = declared_needs(request.module.__file__)
    problems = declaration_problems(request.module.__file__, needs, module=request.module)
    if problems:
        pytest.fail("\n".join(problems))
    device = "cuda" if torch.cuda.is_available() else "cpu"
    page = SNIPPET_PAGES.get(needs.include)
    if page in PAGE_MODE:
        result = request.getfixturevalue("page_runs")[page].through(needs.include)
        if result.error:
            raise SnippetError(result.error)
        run = result.run
    else:
        workdir = tmp_path_factory.mktemp(path.stem)
        prepare = getattr(request.module, "prepare_workdir", None)
        run = execute(path, workdir, needs=needs, prepare=prepare)
    check_output(path, run.stdout, device, update=request.config.getoption("--update-outputs"))
    return run


@pytest.fixture(scope="session")
def site():
    """The site built once with `mkdocs build --strict`, for the tests that check what it holds
    (started in the background when collection finished)."""
    process = SITE_BUILD["process"]
    _, stderr = process.communicate(timeout=240)
    assert process.returncode == 0, stderr
    return SITE_BUILD["folder"]


@pytest.fixture
def planted_build(request):
    """The strict build of the sources its test's planted_build(plant) marker changed: its
    returncode, stderr and site folder."""
    site_dir, process = PLANTED_BUILDS[request.node.nodeid]
    _, stderr = process.communicate(timeout=240)
    return SimpleNamespace(returncode=process.returncode, stderr=stderr, site=site_dir)
