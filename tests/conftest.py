import os
import subprocess
import time

import netguard
import pytest
import release_results
import tested_with
from pages import mkdocs_build
from snippet_runner import (
    ROOT,
    check_output,
    execute,
    snippet_for_test,
)

REQUIRE_GPU = os.environ.get("REQUIRE_GPU") == "1"


def pytest_addoption(parser):
    parser.addoption(
        "--update-outputs",
        action="store_true",
        help="rewrite the recorded outputs (snippets/**/*.out) from what the snippets print now",
    )


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "gpu: the snippet has a GPU path; the tests_gpu session runs it on CUDA"
    )
    config.addinivalue_line(
        "markers", "multiprocess: the snippet starts processes; it runs as a subprocess"
    )
    netguard.install()
    # Per-snippet results: the release matrix writes them (RELEASE_RESULTS), a guard reads them.
    results = release_results.Results(os.environ.get("RELEASE_RESULTS"))
    config.pluginmanager.register(results, release_results.NAME)


RECORDER = tested_with.Recorder()


def pytest_deselected(items):
    RECORDER.deselect(items)


def pytest_runtest_logreport(report):
    RECORDER.report(report)


def pytest_sessionfinish(session, exitstatus):
    # The stamp is recorded with the outputs, from this run's results.
    if session.config.getoption("--update-outputs"):
        import torch

        RECORDER.write("cuda" if torch.cuda.is_available() else "cpu")


def pytest_collection_finish(session):
    RECORDER.collection(session.items)
    # Runs after -m deselection, so it sees what will really run.
    if REQUIRE_GPU and not any(item.get_closest_marker("gpu") for item in session.items):
        raise pytest.UsageError("REQUIRE_GPU=1 but no test marked gpu was selected")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_GPU and report.skipped and item.get_closest_marker("gpu"):
        report.outcome = "failed"
        report.longrepr = f"REQUIRE_GPU=1: a gpu test must run, not skip: {report.longrepr}"


@pytest.fixture(autouse=True)
def _cuda_when_required(request):
    if REQUIRE_GPU and request.node.get_closest_marker("gpu"):
        import torch

        if not torch.cuda.is_available():
            pytest.fail("REQUIRE_GPU=1 but CUDA is not available (torch.cuda.is_available())")


def _worktree():
    done = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return done.stdout if done.returncode == 0 else None


@pytest.fixture(scope="session", autouse=True)
def _no_writes_outside_temporary_directories(request):
    """Tests and snippets write only under their tmp_path; the checkout stays as it was."""
    before = _worktree()
    yield
    if before is not None and not request.config.getoption("--update-outputs"):
        after = _worktree()
        changed = sorted(set(after.splitlines()) ^ set(before.splitlines()))
        assert not changed, f"the test run changed files in the repository: {changed}"


@pytest.fixture(scope="module")
def snippet(request, tmp_path_factory):
    """Run the snippet this test module mirrors, once, and check its output against the page.

    tests/q11_backprop/test_chain_rule_by_hand.py runs snippets/q11_backprop/chain_rule_by_hand.py
    """
    import torch

    path = snippet_for_test(request.module.__file__)
    if not path.exists():
        pytest.fail(f"{request.module.__name__} mirrors {path}, which does not exist")
    workdir = tmp_path_factory.mktemp(path.stem)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # A test module may stage local stand-ins for what the snippet would download
    # (a weights file in $TORCH_HOME, an image folder) by defining prepare_workdir(workdir),
    # and say how a reader launches a multiprocess snippet with LAUNCHER (e.g. torchrun).
    run = execute(
        path,
        workdir,
        multiprocess=request.node.get_closest_marker("multiprocess") is not None,
        prepare=getattr(request.module, "prepare_workdir", None),
        launcher=getattr(request.module, "LAUNCHER", ()),
    )
    check_output(path, run.stdout, device, update=request.config.getoption("--update-outputs"))
    return run


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The site built once with `mkdocs build --strict`, for the tests that check what it holds."""
    site_dir = tmp_path_factory.mktemp("site")
    started = time.perf_counter()
    done = mkdocs_build(ROOT, site_dir)
    seconds = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    print(f"mkdocs build --strict: {seconds:.1f} s")
    return site_dir
