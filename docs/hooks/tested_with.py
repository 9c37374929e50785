"""Show on each Q&A page what its snippets last passed on, from docs/tested-with.json.

The test suite writes that file when it records the outputs (tests/tested_with.py), so the stamp
comes from a test run, never from a hand edit. A Q&A page with no record fails the strict build.
The GPU line is shown only for a record consistent with the GPU recordings it claims
(docs/hooks/gpu_records.py); any other fails the strict build with what is wrong.
"""

import json
import logging
import re
from pathlib import Path

import gpu_records
import snippet_needs

log = logging.getLogger("mkdocs.hooks.tested_with")

TEXT = {
    "zh": {
        "summary": "测试记录：{date} 在 CPU 上通过，PyTorch {torch}；{gpu}",
        "gpu_yes": "GPU：{device}",
        "gpu_no": "GPU：尚无",
        "cpu": (
            "本页代码最近一次在 CPU 上通过测试：{date}，PyTorch {torch}，"
            "torchvision {torchvision}，Python {python}。"
        ),
        "cuda": (
            "在 GPU 上：{date}，{device}，CUDA {cuda}，PyTorch {torch}，torchvision {torchvision}。"
        ),
        "no_cuda": "在 GPU 上：尚无运行记录。",
    },
    "en": {
        "summary": "Tested with: PyTorch {torch} on CPU, passed {date}; {gpu}",
        "gpu_yes": "GPU: {device}",
        "gpu_no": "no GPU run yet",
        "cpu": (
            "The code on this page last passed its tests on CPU on {date}, with PyTorch {torch}, "
            "torchvision {torchvision} and Python {python}."
        ),
        "cuda": (
            "On GPU: {date}, {device}, CUDA {cuda}, PyTorch {torch}, torchvision {torchvision}."
        ),
        "no_cuda": "On GPU: no run recorded yet.",
    },
}


def on_page_markdown(markdown, page, config, files):
    number = re.match(r"q(\d+)-", Path(page.file.src_uri).name)
    if not number:
        return markdown
    path = Path(config.config_file_path).parent / "docs" / "tested-with.json"
    stamps = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    question = next((q for q in stamps if q.startswith(f"q{number[1]}_")), None)
    if question is None or "cpu" not in stamps[question]:
        log.warning(f"{page.file.src_uri}: no test record in {path.name}; record the outputs")
        return markdown
    text = TEXT[config.theme["language"]]
    record = stamps[question]
    lines = [text["cpu"].format(**record["cpu"])]
    cuda = record.get("cuda")
    if cuda is not None:
        root = Path(config.config_file_path).parent
        problems = gpu_records.problems(question, cuda, snippet_needs.load(), root)
        for problem in problems:
            log.warning(f"{page.file.src_uri}: GPU line not shown: {problem}")
        cuda = None if problems else cuda
    lines.append(text["cuda"].format(**cuda) if cuda else text["no_cuda"])
    gpu = text["gpu_yes"].format(**cuda) if cuda else text["gpu_no"]
    summary = text["summary"].format(**record["cpu"], gpu=gpu)
    # Collapsed to one line, and after the key points: the answer comes first.
    stamp = f'??? success "{summary}"\n\n' + "".join(f"    {line}\n\n" for line in lines)
    return _after_key_points(markdown, stamp)


def _after_key_points(markdown, block):
    """Insert `block` after the admonition holding the key points (after the title if none)."""
    lines = markdown.split("\n")
    end = next((i for i, line in enumerate(lines) if "[end:key-points]" in line), None)
    if end is None:
        title, newline, rest = markdown.partition("\n")
        return f"{title}{newline}\n{block}{rest}"
    after = end + 1
    while after < len(lines) and (not lines[after].strip() or lines[after].startswith("    ")):
        after += 1
    return "\n".join([*lines[:after], block, *lines[after:]])
