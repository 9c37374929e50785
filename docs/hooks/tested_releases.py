"""Under each snippet on a Q&A page, the PyTorch releases it was seen to work on.

`nox -s releases` runs every snippet's tests on each release listed in requirements/releases/
and writes what happened to docs/tested-releases.json, one entry per release
(tests/release_results.py). This hook reads that file, never the page, and adds under each
snippet's output (under its code and annotations when it prints nothing) one line with the
range it passed on and the releases tested; where it fails, needs a newer library or prints
something else on some release, a second line says so. A collapsed box at the end of the page
lists the releases with the date each was tested. Nothing here is typed by hand.

As a script: `python docs/hooks/tested_releases.py` prints the results as a Markdown table, and
`... merge DIR...` merges the scheduled workflow's per-release results into the file.
"""

import json
import logging
import re
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.tested_releases")

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "docs" / "tested-releases.json"
ANCHOR = "tested-releases"
WORKS = ("passed", "output-differs")

TEXT = {
    "zh": {
        "works": "适用版本：PyTorch {range}，已测 {tested}（[各版本记录](#{anchor})）",
        "works_none": "在测试过的 PyTorch 版本（{tested}）上都没有通过（[各版本记录](#{anchor})）",
        "untested": "尚未在其他 PyTorch 版本上测试",
        "notes": "{notes}",
        "join": "；",
        "sep": "、",
        "on": "{releases} 上",
        "failed": "{on}失败：{error}",
        "test-failed": "{on}能运行，但测试 {test} 不通过：{error}",
        "warns": "{on}有警告：{warning}",
        "needs-library": "{on}需要比随该版本发布的更新的 {library}",
        "needs-library-missing": "{on}装不上所需的 {library}",
        "output-differs": "{on}输出与本页不同，首个不同的行：{printed}",
        "output-differs-short": "{on}少打印了：{recorded}",
        "skipped": "{on}测试全部跳过",
        "title": "各 PyTorch 版本的测试记录",
        "intro": (
            "本页每段代码的测试在下列 PyTorch 版本上运行过（CPU，`nox -s releases`），"
            "输出与 PyTorch {pin} 上记录的比较。数字是本页代码段的个数。"
        ),
        "head": "| PyTorch | torchvision | 测试日期 | 通过 | 输出不同 | 失败 | 需要更新的库 |",
    },
    "en": {
        "works": "Works with: PyTorch {range}, tested {tested} ([releases](#{anchor}))",
        "works_none": (
            "Passed on none of the PyTorch releases tested ({tested}; [releases](#{anchor}))"
        ),
        "untested": "Not yet tested on other PyTorch releases",
        "notes": "{notes}",
        "join": "; ",
        "sep": ", ",
        "on": "on {releases}",
        "failed": "{on}: fails with {error}",
        "test-failed": "{on}: runs, but its test {test} fails: {error}",
        "warns": "{on}: warns {warning}",
        "needs-library": "{on}: needs a newer {library} than the one released with it",
        "needs-library-missing": "{on}: {library} does not install",
        "output-differs": "{on}: the output differs from this page's, first at {printed}",
        "output-differs-short": "{on}: the output lacks {recorded}",
        "skipped": "{on}: every test skipped",
        "title": "Tested on these PyTorch releases",
        "intro": (
            "The tests of every snippet on this page ran on these PyTorch releases (on CPU, "
            "`nox -s releases`); outputs are compared with the ones recorded on PyTorch {pin}. "
            "The numbers count this page's snippets."
        ),
        "head": (
            "| PyTorch | torchvision | Tested on | Passed | Output differs | Failed "
            "| Needs a newer library |"
        ),
    },
}

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,})[ \t]*(?P<info>.*?)[ \t]*$")
INCLUDE = re.compile(r'^\s*--8<--\s+"(?P<path>[^"]+)"\s*$')
LIST_ITEM = re.compile(r"^\d+\.\s")
QA_PAGE = re.compile(r"^q\d+-.+\.md$")


def version(release):
    return tuple(int(part) for part in release.split("."))


def load(path=RESULTS):
    """Every release's results, oldest first."""
    data = json.loads(Path(path).read_text(encoding="utf-8")) if Path(path).exists() else {}
    return sorted(data.values(), key=lambda record: version(record["torch"]))


def pinned_release(root=ROOT):
    text = (Path(root) / "requirements" / "tests.txt").read_text(encoding="utf-8")
    return re.search(r"^torch==(\S+)", text, re.M)[1]


def labels(records):
    """Short names: 2.4 for 2.4.1, unless two releases tested share the minor version."""
    minors = [r["torch"].rsplit(".", 1)[0] for r in records]
    return {
        r["torch"]: minor if minors.count(minor) == 1 else r["torch"]
        for r, minor in zip(records, minors, strict=True)
    }


def span(names):
    return names[0] if len(names) == 1 else f"{names[0]}–{names[-1]}"


def code(text, limit=110):
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    ticks = "``" if "`" in text else "`"
    pad = " " if ticks == "``" else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def notes_of(entry):
    """What one release's entry says beyond "passed": [(kind, detail)], detail hashable."""
    result = entry["result"]
    notes = []
    if result == "failed" and "::" in entry.get("where", ""):
        # The snippet ran; one of its tests failed (a behaviour the page relies on differs).
        notes.append(("test-failed", (entry["where"].rsplit("::", 1)[1], entry["error"])))
    elif result == "failed":
        notes.append(("failed", entry["error"]))
    elif result == "needs-library" and entry.get("installed"):
        notes.append(("needs-library", entry["library"]))
    elif result == "needs-library":
        notes.append(("needs-library-missing", entry["library"]))
    elif result == "output-differs":
        notes.append(("output-differs", (entry["printed"], entry["recorded"])))
    elif result == "skipped":
        notes.append(("skipped", None))
    notes += [("warns", warning) for warning in entry.get("warnings", [])[:1]]
    return notes


def summarise(key, records):
    """What the records say about one snippet: the range it works on and the exceptions.

    Returns {"tested": [labels], "works": [labels of the contiguous run of working releases that
    ends with the newest working one], "newest": bool (that run reaches the newest release),
    "notes": [(kind, detail, [labels])] in the order they first appear} or None when no release
    has a result for it.
    """
    short = labels(records)
    seen = [(short[r["torch"]], r["snippets"][key]) for r in records if key in r["snippets"]]
    if not seen:
        return None
    works = []
    for name, entry in reversed(seen):
        if entry["result"] in WORKS:
            works.insert(0, name)
        elif works:
            break
    notes = {}
    for name, entry in seen:
        for note in notes_of(entry):
            notes.setdefault(note, []).append(name)
    return {
        "tested": [name for name, _ in seen],
        "works": works,
        "newest": bool(works) and works[-1] == seen[-1][0],
        "notes": [(kind, detail, names) for (kind, detail), names in notes.items()],
    }


def releases_text(names, tested, sep=", "):
    """2.4–2.6 for neighbours among the releases tested, 2.4, 2.10 for others."""
    runs = []
    for name in names:
        if runs and tested.index(name) == tested.index(runs[-1][-1]) + 1:
            runs[-1].append(name)
        else:
            runs.append([name])
    return sep.join(span(run) for run in runs)


def note_text(kind, detail, names, tested, text):
    on = text["on"].format(releases=releases_text(names, tested, text["sep"]))
    if kind == "failed":
        return text["failed"].format(on=on, error=code(detail))
    if kind == "test-failed":
        return text["test-failed"].format(on=on, test=code(detail[0]), error=code(detail[1]))
    if kind in ("needs-library", "needs-library-missing"):
        return text[kind].format(on=on, library=detail)
    if kind == "output-differs":
        printed, recorded = detail
        if printed:
            return text["output-differs"].format(on=on, printed=code(printed))
        return text["output-differs-short"].format(on=on, recorded=code(recorded))
    if kind == "warns":
        return text["warns"].format(on=on, warning=code(detail))
    return text[kind].format(on=on)


def lines_for(key, records, language):
    """The Markdown lines shown under one snippet."""
    text = TEXT[language]
    found = summarise(key, records)
    if found is None:
        return [text["untested"]]
    tested = span(found["tested"])
    works = found["works"]
    if not works:
        first = text["works_none"].format(tested=tested, anchor=ANCHOR)
    else:
        shown = f"≥ {works[0]}" if found["newest"] else span(works)
        first = text["works"].format(range=shown, tested=tested, anchor=ANCHOR)
    lines = [first]
    if found["notes"]:
        said = [note_text(*note, found["tested"], text) for note in found["notes"]]
        notes = text["join"].join(said)
        lines.append(notes[0].upper() + notes[1:])
    return lines


def _fences(lines):
    found, open_fence = [], None
    for number, line in enumerate(lines):
        match = FENCE.match(line)
        if open_fence:
            if match and not match["info"] and match["ticks"].startswith(open_fence["ticks"]):
                open_fence["end"] = number
                found.append(open_fence)
                open_fence = None
            else:
                include = INCLUDE.match(line)
                if include:
                    open_fence["include"] = include["path"]
            continue
        if match:
            open_fence = {"start": number, "indent": match["indent"], "ticks": match["ticks"]}
            open_fence["include"] = None
    return found


def _after_annotations(lines, fence):
    """The line after the annotation list that follows a code fence (or after the fence)."""
    indent = len(fence["indent"])
    end = fence["end"] + 1
    for number in range(fence["end"] + 1, len(lines)):
        line = lines[number]
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip())
        if (depth == indent and LIST_ITEM.match(line.lstrip())) or depth > indent:
            end = number + 1
            continue
        break
    return end


def insertions(lines):
    """(line index, indent, snippet key) for each snippet include on a page."""
    fences = _fences(lines)
    found = []
    for index, fence in enumerate(fences):
        include = fence["include"]
        if not include or not include.endswith(".py"):
            continue
        key = include.removesuffix(".py")
        outputs = []
        for later in fences[index + 1 :]:
            if later["include"] and later["include"].endswith(".py"):
                break
            if later["include"] in (f"{key}.out", f"{key}.cuda.out"):
                outputs.append(later)
        at = outputs[-1]["end"] + 1 if outputs else _after_annotations(lines, fence)
        found.append((at, fence["indent"], key))
    return found


def releases_box(keys, records, language):
    text = TEXT[language]
    rows = [text["head"], "| --- | --- | --- | --- | --- | --- | --- |"]
    for record in records:
        results = [record["snippets"].get(key, {}).get("result") for key in keys]
        counts = [results.count(kind) for kind in (*WORKS, "failed", "needs-library")]
        rows.append(
            f"| {record['torch']} | {record['stack']['torchvision']} | {record['date']} | "
            + " | ".join(str(count) for count in counts)
            + " |"
        )
    body = [text["intro"].format(pin=pinned_release()), "", *rows]
    return [
        f'<div id="{ANCHOR}" markdown>',
        "",
        f'??? info "{text["title"]}"',
        "",
        *(f"    {line}" if line else "" for line in body),
        "",
        "</div>",
    ]


def on_page_markdown(markdown, page, config, files):
    if not QA_PAGE.match(Path(page.file.src_uri).name):
        return markdown
    language = config.theme["language"]
    records = load()
    lines = markdown.split("\n")
    found = insertions(lines)
    for at, indent, key in reversed(found):
        shown = lines_for(key, records, language)
        if any(key not in record["snippets"] for record in records) or not records:
            log.info(f"{page.file.src_uri}: {key} lacks results in docs/tested-releases.json")
        paragraph = "  \n".join(f"{indent}{line}" if n else line for n, line in enumerate(shown))
        lines[at:at] = ["", f"{indent}{paragraph}", f"{indent}{{ .tested-releases }}", ""]
    if records and found:
        lines += ["", *releases_box([key for _, _, key in found], records, language), ""]
    return "\n".join(lines)


def merge(folders, path=RESULTS):
    """Take each release's entry from the folder named after it (…-<release>/tested-releases.json,
    one per job of the scheduled workflow) into `path`; other entries stay."""
    data = json.loads(Path(path).read_text(encoding="utf-8")) if Path(path).exists() else {}
    for folder in map(Path, folders):
        release = folder.name.rsplit("-", 1)[-1]
        data[release] = json.loads((folder / path.name).read_text(encoding="utf-8"))[release]
    Path(path).write_text(dumps(data), encoding="utf-8")


def dumps(data):
    """The results file's text: releases oldest first, one line per snippet (readable diffs)."""
    lines, compact = {}, {}
    for release, record in sorted(data.items(), key=lambda item: version(item[0])):
        marks = {}
        for key, entry in record["snippets"].items():
            marks[key] = f"@@{len(lines)}@@"
            lines[f'"{marks[key]}"'] = json.dumps(entry, ensure_ascii=False)
        compact[release] = {**record, "snippets": marks}
    text = json.dumps(compact, indent=2, ensure_ascii=False)
    return re.sub(r'"@@\d+@@"', lambda match: lines[match.group()], text) + "\n"


def table(records):
    """The results as a Markdown table, a row per snippet and a column per release."""
    short = labels(records)
    marks = {"passed": "✅", "output-differs": "≠", "failed": "❌", "needs-library": "lib"}
    keys = sorted({key for record in records for key in record["snippets"]})
    rows = [
        "| snippet | " + " | ".join(short[r["torch"]] for r in records) + " |",
        "| --- |" + " --- |" * len(records),
    ]
    for key in keys:
        cells = [marks.get(r["snippets"].get(key, {}).get("result"), "") for r in records]
        rows.append(f"| {key} | " + " | ".join(cells) + " |")
    return rows


def main(argv):
    if argv[:1] == ["merge"]:
        merge(argv[1:])
    else:
        print("\n".join(table(load())))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
