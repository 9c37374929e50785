"""Under the output of each snippet declared with gpu_speed, a table of its timings on a GPU.

snippets/snippets.toml declares which snippets get one and its title per language; the numbers
come from docs/gpu-speed.json, which only the GPU command writes (`python3 .ci/gpu.py`: median
of several runs after a warm-up run, with the GPU, CUDA and PyTorch named). Until that has run,
the table says so. No page is edited and no number is typed by hand: to give a new snippet a
table, add `gpu_speed = { zh = "...", en = "..." }` to its line in snippets/snippets.toml.

A declared snippet whose page has no output block for it, or speed data that does not match the
GPU stamp (docs/hooks/gpu_records.py), is a warning, which fails the strict build.
"""

import logging
from pathlib import Path, PurePosixPath

import gpu_records
import page_blocks
import snippet_needs

log = logging.getLogger("mkdocs.hooks.gpu_speed")

TEXT = {
    "zh": {
        "gpu": "在 GPU 上",
        "not_measured": "尚未在 GPU 上测量。",
        "pending": "—",
        "caption": (
            "{device}，CUDA {cuda}，PyTorch {torch}，{date}："
            "预热运行 {warmup} 次后运行 {runs} 次，取各次的中位数（`python3 .ci/gpu.py` 测得，"
            "代码见 `{source}`）。"
        ),
    },
    "en": {
        "gpu": "On a GPU",
        "not_measured": "Not measured on a GPU yet.",
        "pending": "—",
        "caption": (
            "{device}, CUDA {cuda}, PyTorch {torch}, {date}: the median of {runs} runs after "
            "{warmup} warm-up run (measured by `python3 .ci/gpu.py`, code in `{source}`)."
        ),
    },
}


def _value(row):
    return f"{row['value']:.3g} {row['unit']}"


def table(needs, entry, language):
    """The Markdown of one speed table: measured, or saying that it was not measured yet."""
    text = TEXT[language]
    title = needs.gpu_speed[language]
    if entry is None:
        not_measured = f"| {text['not_measured']} | {text['pending']} |"
        return [f"| {title} | {text['gpu']} |", "| :-- | --: |", not_measured]
    lines = [f"| {title} | {entry['device']} |", "| :-- | --: |"]
    lines += [f"| {row['label']} | {_value(row)} |" for row in entry["rows"]]
    return [*lines, "", text["caption"].format(**entry)]


def insert_tables(markdown, include_of_page, declared, speed, language, where="<page>"):
    """The page with a table after the output block of each declared snippet it includes."""
    blocks = page_blocks.parse(markdown, where=where)
    outputs = {f.include: f for f in blocks.fences if f.include and f.include.endswith(".out")}
    insertions = {}
    for include in include_of_page:
        needs = declared.get(include)
        if needs is None or not needs.gpu_speed:
            continue
        fence = outputs.get(str(PurePosixPath(include).with_suffix(".out")))
        if fence is None:
            log.warning(f"{where}: {include} has gpu_speed but no output block for its table")
            continue
        lines = table(needs, speed.get(include), language)
        insertions[fence.end] = ["", *(f"{fence.indent}{line}".rstrip() for line in lines)]
    lines = markdown.split("\n")
    for end in sorted(insertions, reverse=True):
        lines[end:end] = insertions[end]
    return "\n".join(lines)


def on_page_markdown(markdown, page, config, files):
    root = Path(config.config_file_path).parent
    declared = snippet_needs.load()
    stamps = gpu_records.load_json(root / gpu_records.STAMPS)
    speed = gpu_records.load_json(root / gpu_records.SPEED)
    blocks = page_blocks.parse(markdown, where=page.file.src_uri)
    includes = [f.include for f in blocks.fences if f.include and f.include.endswith(".py")]
    shown = {}
    for include in includes:
        if include not in speed:
            continue
        problems = gpu_records.speed_problems({include: speed[include]}, stamps, declared)
        for problem in problems:
            log.warning(f"{page.file.src_uri}: GPU timings not shown: {problem}")
        if not problems:
            shown[include] = speed[include]
    language = config.theme["language"]
    return insert_tables(markdown, includes, declared, shown, language, where=page.file.src_uri)
