"""The runner itself: failures name the snippet's file and line, outputs are compared exactly
(but for timings and addresses), the network is blocked, and REQUIRE_GPU cannot be skipped past."""

import os
import subprocess
import sys
import textwrap

import pytest
from snippet_runner import (
    ROOT,
    SnippetError,
    check_output,
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
