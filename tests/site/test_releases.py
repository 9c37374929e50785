"""The PyTorch releases each snippet was tested on (docs/tested-releases.json, `nox -s releases`)
and the line each page shows under each snippet from it (docs/hooks/tested_releases.py)."""

import copy
import importlib.util
import re
from datetime import date

import pytest
import release_results
from pages import LANGUAGES, QA_PAGES, parse
from snippet_runner import ROOT

HOOK = ROOT / "docs" / "hooks" / "tested_releases.py"
RELEASES_DIR = ROOT / "requirements" / "releases"


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hook = _load(HOOK, "docs_hooks_tested_releases")
RECORDS = hook.load()
PIN = hook.pinned_release()
RERUN = "re-run it: nox -s 'releases({})'"


def pins(path):
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-r "):
            found |= pins(path.parent / line[3:].strip())
        name, _, version = line.split("#")[0].strip().partition("==")
        if version:
            found[name.strip().lower()] = version.strip()
    return found


def configured():
    return sorted(
        (p.stem.removeprefix("torch-") for p in RELEASES_DIR.glob("torch-*.txt")),
        key=release_results.release_key,
    )


def record(release):
    return next(r for r in RECORDS if r["torch"] == release)


def test_every_release_in_requirements_has_results_and_no_other():
    releases = [r["torch"] for r in RECORDS]
    assert releases == configured(), "run the missing ones: nox -s releases"
    assert PIN in releases
    assert len(releases) >= 4
    assert release_results.release_key(releases[0]) <= (2, 6, 0), "one release at or before 2.6"


@pytest.mark.parametrize("release", configured())
def test_each_release_covers_every_snippet_with_a_well_formed_result(release):
    found = record(release)
    assert sorted(found["snippets"]) == release_results.all_snippets(), RERUN.format(release)
    counts = {kind: 0 for kind in release_results.RESULTS}
    for key, entry in found["snippets"].items():
        counts[entry["result"]] += 1
        if entry["result"] in ("failed", "needs-library"):
            assert entry["error"].strip(), key
        if entry["result"] == "needs-library":
            assert entry["library"], key
        if entry["result"] == "output-differs":
            assert entry["recorded"] or entry["printed"], key
    assert found["summary"] == counts
    assert date.fromisoformat(found["date"]) <= date.today()
    assert found["device"] == "CPU"
    # Ran on the stack that requirements/releases/torch-<release>.txt asks for.
    wanted = pins(RELEASES_DIR / f"torch-{release}.txt")
    stack = {name: version for name, version in found["stack"].items() if name in wanted}
    assert stack == {name: wanted[name] for name in stack}, RERUN.format(release)
    assert found["stack"]["torch"] == release
    assert found["install"]["seconds"] > 0
    assert found["run_seconds"] > 0


def test_the_pinned_release_runs_the_stack_of_the_test_suite():
    suite = pins(ROOT / "requirements" / "tests.txt")
    release = pins(RELEASES_DIR / f"torch-{PIN}.txt")
    assert {name: suite.get(name) for name in release} == release
    assert {k: v for k, v in record(PIN)["stack"].items() if v} == {
        name: suite[name] for name in record(PIN)["stack"] if name in suite
    }


@pytest.mark.after_snippets
def test_the_pinned_release_agrees_with_this_run(request):
    """Runs after every snippet test of this session (tests/release_results.py orders it last)."""
    import torch

    ran = request.config.pluginmanager.get_plugin(release_results.NAME).results()
    if not ran:
        pytest.skip("no snippet's tests all ran in this session")
    assert torch.__version__.split("+")[0] == PIN, "the suite runs on the pinned release"
    kept = record(PIN)["snippets"]
    disagree = {
        key: {"docs/tested-releases.json": kept.get(key, {}).get("result"), "now": entry}
        for key, entry in ran.items()
        if kept.get(key, {}).get("result") != entry["result"]
    }
    assert not disagree, f"{RERUN.format(PIN)} (or fix the snippet): {disagree}"


def _records(*results, error="AttributeError: module 'torch' has no attribute 'accelerator'"):
    """Results of one snippet "q/x" on 2.4.1, 2.6.0, 2.14.1, 2.15.0."""
    entries = {
        "passed": {"result": "passed"},
        "failed": {"result": "failed", "error": error, "where": "snippets/q/x.py:3"},
        "lib": {
            "result": "needs-library",
            "error": "ImportError: cannot import name 'C' from 'torchao.quantization'",
            "library": "torchao",
            "installed": "0.5.0",
        },
        "differs": {
            "result": "output-differs",
            "recorded": "RuntimeError: mat1 and mat2",
            "printed": "RuntimeError: addmm: mat1 and mat2",
        },
        "test": {
            "result": "failed",
            "error": "assert 0 > 0",
            "where": "tests/q/test_x.py::test_it_frees_threads",
        },
        "warns": {"result": "passed", "warnings": ["FutureWarning: torch.load"]},
    }
    return [
        {
            "torch": release,
            "date": "2026-12-01",
            "stack": {"torchvision": "0"},
            "snippets": {"q/x": copy.deepcopy(entries[result])},
        }
        for release, result in zip(("2.4.1", "2.6.0", "2.14.1", "2.15.0"), results, strict=True)
    ]


@pytest.mark.parametrize(
    ("results", "en", "zh"),
    [
        (
            ("passed",) * 4,
            ["Works with: PyTorch ≥ 2.4, tested 2.4–2.15 ([releases](#tested-releases))"],
            ["适用版本：PyTorch ≥ 2.4，已测 2.4–2.15（[各版本记录](#tested-releases)）"],
        ),
        (
            ("failed", "passed", "passed", "differs"),
            [
                "Works with: PyTorch ≥ 2.6, tested 2.4–2.15 ([releases](#tested-releases))",
                "On 2.4: fails with `AttributeError: module 'torch' has no attribute "
                "'accelerator'`; on 2.15: the output differs from this page's, first at "
                "`RuntimeError: addmm: mat1 and mat2`",
            ],
            [
                "适用版本：PyTorch ≥ 2.6，已测 2.4–2.15（[各版本记录](#tested-releases)）",
                "2.4 上失败：`AttributeError: module 'torch' has no attribute 'accelerator'`；"
                "2.15 上输出与本页不同，首个不同的行：`RuntimeError: addmm: mat1 and mat2`",
            ],
        ),
        (
            ("lib", "lib", "passed", "failed"),
            [
                "Works with: PyTorch 2.14, tested 2.4–2.15 ([releases](#tested-releases))",
                "On 2.4–2.6: needs a newer torchao than the one released with it; "
                "on 2.15: fails with "
                "`AttributeError: module 'torch' has no attribute 'accelerator'`",
            ],
            [
                "适用版本：PyTorch 2.14，已测 2.4–2.15（[各版本记录](#tested-releases)）",
                "2.4–2.6 上需要比随该版本发布的更新的 torchao；2.15 上失败："
                "`AttributeError: module 'torch' has no attribute 'accelerator'`",
            ],
        ),
        (
            ("warns", "passed", "warns", "test"),
            [
                "Works with: PyTorch 2.4–2.14, tested 2.4–2.15 ([releases](#tested-releases))",
                "On 2.4, 2.14: warns `FutureWarning: torch.load`; on 2.15: runs, but its test "
                "`test_it_frees_threads` fails: `assert 0 > 0`",
            ],
            [
                "适用版本：PyTorch 2.4–2.14，已测 2.4–2.15（[各版本记录](#tested-releases)）",
                "2.4、2.14 上有警告：`FutureWarning: torch.load`；"
                "2.15 上能运行，但测试 `test_it_frees_threads` 不通过：`assert 0 > 0`",
            ],
        ),
    ],
)
def test_the_line_under_a_snippet_gives_its_range_and_what_differs(results, en, zh):
    records = _records(*results)
    assert hook.lines_for("q/x", records, "en") == en
    assert hook.lines_for("q/x", records, "zh") == zh


def test_a_failure_on_every_release_and_a_snippet_never_run_say_so():
    assert hook.lines_for("q/x", _records(*["failed"] * 4), "en")[0].startswith(
        "Passed on none of the PyTorch releases tested (2.4–2.15"
    )
    assert hook.lines_for("q/y", _records(*["passed"] * 4), "en") == [
        "Not yet tested on other PyTorch releases"
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", QA_PAGES)
def test_the_line_goes_under_each_snippets_output_never_between_code_and_annotations(
    language, name
):
    page = parse(ROOT / "docs" / language / name)
    found = hook.insertions(page.lines)
    assert [key for _, _, key in found] == [
        include.removesuffix(".py") for include in page.includes if include.endswith(".py")
    ]
    ends = {fence.end: fence for fence in page.fences}
    for at, _, key in found:
        fence = ends.get(at)  # the fence that closes right above the inserted line
        if fence is not None:
            assert fence.include in (f"{key}.out", f"{key}.cuda.out", f"{key}.py"), (name, key)
            if fence.include == f"{key}.py":
                assert not re.match(r"\s*1\.\s", next((x for x in page.lines[at:] if x), ""))


def _built(site, language, name):
    root = site if language == "zh" else site / language
    return (root / name.replace(".md", ".html")).read_text(encoding="utf-8")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_snippet_shows_its_releases_and_every_page_their_dates(site, language):
    works = {"zh": "适用版本：PyTorch", "en": "Works with: PyTorch"}[language]
    for name in QA_PAGES:
        page = parse(ROOT / "docs" / language / name)
        html = _built(site, language, name)
        lines = re.findall(r'<p class="tested-releases">(.*?)</p>', html, re.S)
        snippets = [i for i in page.includes if i.endswith(".py")]
        assert len(lines) == len(snippets), name
        for line, include in zip(lines, snippets, strict=True):
            key = include.removesuffix(".py")
            tested = [r for r in RECORDS if key in r["snippets"]]
            if tested:
                assert works in line or "PyTorch" in line, (name, key)
        assert 'id="tested-releases"' in html, name
        for release in RECORDS:
            assert f"<td>{release['torch']}</td>" in html, (name, release["torch"])
            assert f"<td>{release['date']}</td>" in html, (name, release["torch"])


def test_the_scheduled_workflow_runs_every_release():
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "releases.yml").read_text())
    job = workflow["jobs"]["release"]
    assert job["strategy"]["matrix"]["torch"] == configured()
    assert job["strategy"]["fail-fast"] is False
    assert any(s.get("run") == 'nox -s "releases(${{ matrix.torch }})"' for s in job["steps"])
    assert "schedule" in workflow[True]  # YAML reads the key `on` as True


def test_merging_the_workflow_jobs_takes_each_release_from_its_own_job(tmp_path):
    old = _records("passed", "passed", "passed", "passed")
    new = _records("failed", "failed", "failed", "failed")
    target = tmp_path / "tested-releases.json"
    target.write_text(hook.dumps({r["torch"]: r for r in old}))
    for release in ("2.4.1", "2.15.0"):  # each job's copy: all entries, its own one new
        job = tmp_path / f"tested-release-{release}"
        job.mkdir()
        pairs = zip(old, new, strict=True)
        mixed = {o["torch"]: (n if n["torch"] == release else o) for o, n in pairs}
        (job / target.name).write_text(hook.dumps(mixed))
    hook.merge(sorted(tmp_path.glob("tested-release-*")), target)
    merged = hook.load(target)
    assert [r["snippets"]["q/x"]["result"] for r in merged] == [
        "failed",
        "passed",
        "passed",
        "failed",
    ]
    assert '"q/x": {"result": "passed"}' in target.read_text()
