"""The runner itself: failures name the snippet's file and line, outputs are compared exactly
(but for timings and addresses), the network is blocked, REQUIRE_GPU cannot be skipped past, a
gpu snippet must really use CUDA where there is CUDA, test modules agree with the one declaration
of what their snippet needs, and the run writes nothing into the checkout."""

import os
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import checkout
import pytest
import snippet_needs
from snippet_runner import (
    ROOT,
    TESTS,
    UPDATE_COMMAND,
    CudaUse,
    SnippetError,
    check_output,
    declaration_problems,
    execute,
    normalise,
    run_in_process,
    run_in_subprocess,
)


def write(tmp_path, name, code):
    path = tmp_path / name
    path.write_text(textwrap.dedent(code))
    return path


def test_a_raising_snippet_names_its_file_and_line(tmp_path):
    path = write(tmp_path, "broken.py", "x = 1\n\nraise ValueError('bad shape')\n")
    with pytest.raises(SnippetError, match=rf"{path}:3: ValueError: bad shape"):
        run_in_process(path, tmp_path)


def test_a_raising_subprocess_snippet_names_its_file_and_line(tmp_path):
    path = write(tmp_path, "broken.py", "import sys\nsys.exit(1 / 0)\n")
    with pytest.raises(SnippetError, match=rf"{path}:2: .*ZeroDivisionError"):
        run_in_subprocess(path, tmp_path)


def test_a_hanging_subprocess_snippet_times_out(tmp_path):
    path = write(tmp_path, "hang.py", "import time\ntime.sleep(60)\n")
    with pytest.raises(SnippetError, match="timed out after 1 s"):
        run_in_subprocess(path, tmp_path, timeout=1)


def test_deprecated_apis_fail_the_snippet(tmp_path):
    path = write(tmp_path, "old.py", "import warnings\nwarnings.warn('old', FutureWarning)\n")
    with pytest.raises(SnippetError, match="old.py:2: FutureWarning"):
        run_in_process(path, tmp_path)


@pytest.mark.parametrize("runner", [run_in_process, run_in_subprocess])
def test_network_is_blocked_but_loopback_is_not(tmp_path, runner):
    code = """
        import socket
        server = socket.create_server(("127.0.0.1", 0))
        socket.create_connection(server.getsockname(), timeout=5).close()
        print("loopback ok")
        socket.create_connection(("pypi.org", 443), timeout=5)
    """
    path = write(tmp_path, "net.py", code)
    with pytest.raises(SnippetError, match="network access blocked in tests: pypi.org"):
        runner(path, tmp_path)


def test_subprocess_snippets_are_seeded(tmp_path):
    path = write(tmp_path, "seeded.py", "import torch\nprint(torch.rand(3).tolist())\n")
    printed = run_in_subprocess(path, tmp_path).stdout
    import torch

    torch.manual_seed(0)
    assert printed.strip() == str(torch.rand(3).tolist())


def test_output_must_match_the_recording_exactly(tmp_path):
    path = write(tmp_path, "show.py", "")
    (tmp_path / "show.out").write_text("loss: 0.25\n")
    check_output(path, "loss: 0.25\n", "cpu")
    with pytest.raises(SnippetError, match=r"(?s)no longer prints.*-loss: 0.25\n\+loss: 0.26"):
        check_output(path, "loss: 0.26\n", "cpu")


def test_only_timings_and_addresses_are_normalised():
    assert normalise("median 18.906 ms, took 2 s") == normalise("median 7.1 ms, took 3 s")
    assert normalise("<Linear at 0x7f3a2b1c4d50>") == normalise("<Linear at 0x7f00aa11bb22>")
    assert normalise("accuracy 0.89") != normalise("accuracy 0.90")
    assert normalise("1024x1024 matmul") == "1024x1024 matmul"


def test_printing_without_a_recording_fails_and_update_records(tmp_path):
    path = write(tmp_path, "new.py", "")
    with pytest.raises(SnippetError, match="new.out does not exist"):
        check_output(path, "hello\n", "cpu")
    check_output(path, "hello\n", "cuda", update=True)
    assert (tmp_path / "new.cuda.out").read_text() == "hello\n"
    check_output(path, "hello\n", "cuda")


def test_a_missing_gpu_recording_names_the_command_that_records_it(tmp_path):
    """The first run on a GPU: no .cuda.out yet. The failure says exactly what to run."""
    path = write(tmp_path, "new.py", "")
    with pytest.raises(SnippetError) as failure:
        check_output(path, "hello\n", "cuda")
    assert "new.cuda.out does not exist" in str(failure.value)
    assert f"record it with `{UPDATE_COMMAND['cuda']}`" in str(failure.value)
    assert UPDATE_COMMAND["cuda"] == "python3 .ci/gpu.py"
    assert (ROOT / ".ci" / "gpu.py").is_file()
    assert UPDATE_COMMAND["cuda"] in (ROOT / "README.md").read_text(encoding="utf-8")


def pytest_in_subprocess(*args, **env):
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, **env},
    )


def test_require_gpu_fails_without_cuda():
    done = pytest_in_subprocess(
        "tests/q12_gpu/test_choose_device.py", "-m", "gpu", REQUIRE_GPU="1", CUDA_VISIBLE_DEVICES=""
    )
    assert done.returncode == 1, done.stdout
    assert "REQUIRE_GPU=1 but CUDA is not available" in done.stdout
    assert " passed" not in done.stdout.splitlines()[-1]


def test_require_gpu_fails_when_no_gpu_test_is_selected():
    done = pytest_in_subprocess("tests/q11_backprop", "-m", "gpu", REQUIRE_GPU="1")
    assert done.returncode != 0
    assert "REQUIRE_GPU=1 but no test marked gpu was selected" in done.stdout + done.stderr


# ---------------------------------------------------------------------------------------------
# A gpu snippet must use CUDA where there is CUDA (the check is active only there)


class FakeCuda:
    """torch.cuda's memory statistics, for a machine with no GPU: `grows` bytes per run."""

    def __init__(self, grows):
        self.grows, self.allocated, self.peak = grows, 1024, 1024

    def is_available(self):
        return True

    def device_count(self):
        return 1

    def synchronize(self):
        pass

    def reset_peak_memory_stats(self):
        self.peak = self.allocated

    def memory_allocated(self):
        return self.allocated

    def max_memory_allocated(self):
        return self.peak

    def run(self):
        self.peak += self.grows


def test_cuda_use_passes_when_memory_was_allocated_and_fails_when_not(tmp_path):
    fake = FakeCuda(grows=4096)
    with CudaUse(fake) as used:
        fake.run()
    assert used.check(tmp_path / "x.py") == 4096
    idle = FakeCuda(grows=0)
    with CudaUse(idle) as used:
        idle.run()
    with pytest.raises(SnippetError, match="allocated no CUDA memory.*CUDA path did not run"):
        used.check(tmp_path / "x.py")


def test_a_gpu_snippet_that_stays_on_the_cpu_fails_where_cuda_is_available(tmp_path, monkeypatch):
    """Planted: a gpu snippet hard-wired to the CPU would pass every CPU-side assertion."""
    import torch

    path = write(tmp_path, "on_cpu.py", "import torch\nx = torch.ones(3, device='cpu')\n")
    gpu = snippet_needs.Needs("q00/on_cpu.py", gpu=True)
    assert execute(path, tmp_path, needs=gpu).cuda_bytes is None  # no CUDA here: inactive
    fake = FakeCuda(grows=0)
    for name in ("is_available", "device_count", "synchronize", "reset_peak_memory_stats"):
        monkeypatch.setattr(torch.cuda, name, getattr(fake, name))
    monkeypatch.setattr(torch.cuda, "memory_allocated", fake.memory_allocated)
    monkeypatch.setattr(torch.cuda, "max_memory_allocated", fake.max_memory_allocated)
    with pytest.raises(SnippetError, match="on_cpu.py is declared gpu.*allocated no CUDA memory"):
        execute(path, tmp_path, needs=gpu)
    not_gpu = snippet_needs.Needs("q00/on_cpu.py")
    assert execute(path, tmp_path, needs=not_gpu).cuda_bytes is None


# ---------------------------------------------------------------------------------------------
# Test modules and snippets/snippets.toml agree


def test_every_test_module_agrees_with_the_declaration():
    declared = snippet_needs.load()
    found = [
        problem
        for test in sorted(TESTS.glob("q*/test_*.py"))
        for problem in declaration_problems(test, snippet_needs.for_test_file(test, declared))
    ]
    assert found == []


def test_every_declared_gpu_snippet_has_a_cuda_proof():
    for include, needs in snippet_needs.load().items():
        if needs.gpu:
            assert needs.test_path.exists(), include
            assert not declaration_problems(needs.test_path, needs), include


def _problems(tmp_path, source, needs):
    test = tmp_path / "tests" / "q00_x" / "test_x.py"
    test.parent.mkdir(parents=True, exist_ok=True)
    test.write_text(source)
    return "\n".join(declaration_problems(test, needs))


GPU = snippet_needs.Needs("q00_x/x.py", gpu=True)
PROVEN = textwrap.dedent("""
    import pytest

    @pytest.mark.cuda
    def test_cuda_path_ran(snippet):
        assert snippet.namespace["x"].is_cuda
""")


SKIPS_ON_A_GPU = """
import torch


def test_without_gpus_data_parallel_is_a_pass_through(snippet):
    if torch.cuda.is_available():
        pytest.skip("there are GPUs: DataParallel really scatters")
    assert snippet.namespace["dp_model"].device_ids == []


@pytest.mark.skipif(torch.cuda.is_available(), reason="CPU only")
def test_cpu_only(snippet):
    pass
"""


def test_a_gpu_module_that_skips_on_a_gpu_is_caught(tmp_path):
    """Planted: the q16 test that skipped itself when CUDA was there (REQUIRE_GPU failed it)."""
    found = _problems(tmp_path, PROVEN + SKIPS_ON_A_GPU, GPU)
    skipped = "test_without_gpus_data_parallel_is_a_pass_through: if torch.cuda.is_available()"
    assert skipped in found
    assert "test_cpu_only: @pytest.mark.skipif(torch.cuda.is_available()" in found
    assert _problems(tmp_path, PROVEN, GPU) == ""


def test_a_gpu_module_with_no_cuda_proof_is_caught(tmp_path):
    source = "def test_runs(snippet):\n    assert snippet.stdout\n"
    assert "must prove that its CUDA path ran" in _problems(tmp_path, source, GPU)
    assert _problems(tmp_path, source, snippet_needs.Needs("q00_x/x.py")) == ""


def test_a_mark_or_stand_in_declared_only_in_the_module_is_caught(tmp_path):
    plain = snippet_needs.Needs("q00_x/x.py")
    marked = "import pytest\n\npytestmark = [pytest.mark.gpu, pytest.mark.multiprocess]\n"
    found = _problems(tmp_path, marked + PROVEN, plain)
    assert "pytestmark says gpu, snippets/snippets.toml does not" in found
    assert "pytestmark says multiprocess" in found
    staged = "def prepare_workdir(workdir):\n    pass\n"
    assert "say what they replace" in _problems(tmp_path, staged, plain)
    declared = snippet_needs.Needs("q00_x/x.py", stand_ins="weights")
    assert "defines no prepare_workdir" in _problems(tmp_path, "", declared)


def test_a_launcher_other_than_the_declared_one_is_caught(tmp_path):
    torchrun = snippet_needs.Needs("q00_x/x.py", gpu=True, multiprocess=True, launcher="torchrun")
    module = SimpleNamespace(LAUNCHER=("-m", "torch.distributed.run", "--nproc-per-node=4"))
    test = tmp_path / "test_x.py"
    test.write_text(textwrap.dedent(PROVEN))
    found = declaration_problems(test, torchrun, module=module)
    assert any("differs from what snippets.toml declares" in p for p in found), found
    module.LAUNCHER = snippet_needs.launcher_arguments(torchrun)  # on this machine: no CUDA
    assert declaration_problems(test, torchrun, module=module) == []


def test_declared_marks_select_the_gpu_tests():
    done = pytest_in_subprocess("tests/q14_debugging", "--collect-only", "-q", "-m", "gpu")
    assert done.returncode == 0, done.stdout + done.stderr
    files = {line.split("::")[0] for line in done.stdout.splitlines() if "::" in line}
    declared = {
        needs.test_path.relative_to(ROOT).as_posix()
        for include, needs in snippet_needs.load().items()
        if include.startswith("q14_debugging/") and needs.gpu
    }
    assert files == declared


def test_declared_speed_sources_exist():
    for include, needs in snippet_needs.load().items():
        if needs.gpu_speed:
            assert needs.speed_source().is_file(), f"{include}: {needs.speed_source()}"


def test_a_bad_declaration_stops_the_run_with_its_reason(tmp_path):
    bad = tmp_path / "snippets.toml"
    bad.write_text("[q12_gpu]\nchoose_device = { gpu = true, gpus = 2 }\n")
    with pytest.raises(snippet_needs.DeclarationError, match="unknown keys \\['gpus'\\]"):
        snippet_needs.load(bad)
    bad.write_text("[q12_gpu]\nno_such_snippet = { gpu = true }\n")
    with pytest.raises(snippet_needs.DeclarationError, match="there is no snippets/q12_gpu"):
        snippet_needs.load(bad)


# ---------------------------------------------------------------------------------------------
# The run writes nothing into the checkout


def test_a_write_into_an_ignored_folder_under_snippets_or_docs_is_caught(tmp_path):
    """Planted: git status alone did not see files in git-ignored folders."""
    root = tmp_path / "repo"
    for folder in ("snippets/q11_backprop", "docs/hooks", "tests"):
        (root / folder).mkdir(parents=True)
    (root / ".gitignore").write_text("__pycache__/\n.venv/\n/site/\n")
    (root / "snippets" / "q11_backprop" / "x.py").write_text("print(1)\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(root)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "x"], check=True)
    before = checkout.state(root)
    for planted in ("snippets/q11_backprop/.venv/cache.bin", "docs/__pycache__/page.pyc"):
        (root / planted).parent.mkdir(parents=True)
        (root / planted).write_text("written by a test")
    after = checkout.state(root)
    assert before[0] == after[0], "git status does not see these"
    assert checkout.changes(before, after) == [
        "written: docs/__pycache__/page.pyc",
        "written: snippets/q11_backprop/.venv/cache.bin",
    ]
    # The bytecode of the tests and the hooks is the interpreter's, not a test's writing.
    (root / "docs/hooks/__pycache__").mkdir()
    (root / "docs/hooks/__pycache__/notebooks.cpython-311.pyc").write_bytes(b"")
    (root / "tests/__pycache__").mkdir()
    (root / "tests/__pycache__/conftest.cpython-311.pyc").write_bytes(b"")
    assert len(checkout.changes(before, checkout.state(root))) == 2
