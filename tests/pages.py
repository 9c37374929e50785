"""Read the Markdown pages under docs/ the way the guard tests need them."""

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import page_blocks
import snippet_needs
from snippet_runner import ROOT, SNIPPETS

DOCS = ROOT / "docs"
LANGUAGES = ("zh", "en")
OUTPUT_TITLE = {"zh": "输出", "en": "Output"}

INCLUDE = page_blocks.INCLUDE
LIST_ITEM = re.compile(r"^(?P<number>\d+)\.\s+\S")
# The cheat sheet includes each Q&A page's key points: --8<-- "zh/q11-backpropagation.md:key-points"
KEY_POINTS_INCLUDE = re.compile(r'^--8<-- "(?:zh|en)/q\d+-[\w-]+\.md:key-points"$')
SKIP_MARK = re.compile(r"<!--\s*pytest(?:\.mark\.skip|-codeblocks:skip)")
Fence = page_blocks.Fence


@dataclass
class Page:
    path: Path
    lines: list
    fences: list = field(default_factory=list)
    headings: list = field(default_factory=list)
    admonitions: list = field(default_factory=list)
    stray_includes: list = field(default_factory=list)
    blocks: page_blocks.Blocks = None

    @property
    def language(self):
        return self.path.relative_to(DOCS).parts[0]

    @property
    def name(self):
        return self.path.relative_to(DOCS / self.language).as_posix()

    @property
    def includes(self):
        return [fence.include for fence in self.fences if fence.include]

    def lines_after(self, fence):
        return self.lines[fence.end :]

    def __str__(self):
        return self.path.relative_to(ROOT).as_posix()


def parse(path):
    """A page as the guards see it, from the parser the build hooks use (docs/hooks/page_blocks.py):
    its fences, top-level headings as (level, text), the kinds of its admonitions, and the lines
    of any snippet include that is not inside a code block."""
    text = Path(path).read_text(encoding="utf-8")
    blocks = page_blocks.parse(text, where=str(path))
    page = Page(Path(path), blocks.lines, blocks=blocks)
    page.fences = blocks.fences
    page.headings = [(heading.level, heading.text) for heading in blocks.headings]
    page.admonitions = [admonition.kind for admonition in blocks.admonitions]
    in_fence = blocks.fence_lines()
    page.stray_includes = [
        number
        for number, line in enumerate(blocks.lines, start=1)
        if number not in in_fence and INCLUDE.match(line) and not KEY_POINTS_INCLUDE.match(line)
    ]
    return page


def pages(language=None):
    languages = [language] if language else LANGUAGES
    return [parse(p) for lang in languages for p in sorted((DOCS / lang).rglob("*.md"))]


def annotation_list(page, fence):
    """Numbers of the ordered list that directly follows a code fence (Material annotations),
    at the fence's own indentation (a fence inside a `??? example` fold is indented)."""
    indent = page.lines[fence.start - 1][: -len(page.lines[fence.start - 1].lstrip())]
    numbers = []
    for line in page.lines_after(fence):
        if not line.strip():
            continue
        if not line.startswith(indent):
            break
        line = line[len(indent) :]
        if item := LIST_ITEM.match(line):
            numbers.append(int(item["number"]))
        elif not line.startswith((" ", "\t")):
            break
    return numbers


def markers(snippet):
    return snippet_needs.markers(Path(snippet).read_text(encoding="utf-8"))


QA_PAGES = sorted(p.name for p in (DOCS / "zh").glob("q*.md"))


@dataclass
class Admonition:
    line: int  # 1-based
    marker: str  # !!!, ??? or ???+
    kind: str
    title: str
    body: list


def page_admonitions(page):
    """Top-level admonitions with their bodies (the indented lines, four spaces removed)."""
    return [
        Admonition(
            a.line, a.marker, a.kind, a.title, [line[4:] for line in page.lines[a.line : a.end]]
        )
        for a in page.blocks.admonitions
        if a.depth == 0
    ]


@dataclass
class KeyPoints:
    title: str
    bullets: list


KEY_POINTS_START = "<!-- --8<-- [start:key-points] -->"
KEY_POINTS_END = "<!-- --8<-- [end:key-points] -->"


def key_points(page):
    """The `!!! abstract` box before the first section, its bullets between the markers."""
    first_section = next(
        (n for n, line in enumerate(page.lines, start=1) if line.startswith("## ")),
        len(page.lines),
    )
    for admonition in page_admonitions(page):
        if admonition.line > first_section or admonition.kind != "abstract":
            continue
        body = [line.strip() for line in admonition.body]
        if KEY_POINTS_START not in body or KEY_POINTS_END not in body:
            return None
        items = body[body.index(KEY_POINTS_START) + 1 : body.index(KEY_POINTS_END)]
        bullets = []
        for line in items:
            if line.startswith("- "):
                bullets.append(line[2:])
            elif line and bullets:
                bullets[-1] += " " + line
        return KeyPoints(admonition.title, bullets)
    return None


def sections(page, keep_code=False):
    """(H2 title, prose) per section, the part before the first H2 first.

    Prose is the text outside code fences, with link targets, HTML comments and tags removed,
    and inline code removed too unless `keep_code`.
    """
    skip = {n for f in page.fences for n in range(f.start, f.end + 1)}
    found = [("", [])]
    for number, line in enumerate(page.lines, start=1):
        if number in skip or INCLUDE.match(line):
            continue
        if line.startswith("## "):
            found.append((line[3:].strip(), []))
            continue
        if not keep_code:
            line = re.sub(r"`[^`]+`", " ", line)
        line = re.sub(r"\]\([^)]*\)", "]", line)
        line = re.sub(r"<!--.*?-->|<[^>]+>|https?://\S+", " ", line)
        found[-1][1].append(line)
    return [(title, "\n".join(lines)) for title, lines in found]


# A number in prose: 12, 0.89, 3,366 (thousands), not part of a word or a version like 2.14.1.
NUMBER = re.compile(r"(?<![\w.])\d+(?:,\d{3})*(?:\.\d+)?(?![\w.]*\d)(?![A-Za-z_])")
UNIT = re.compile(
    r"\s?(?:×|x\b|%|倍|ms\b|µs\b|us\b|s\b|秒|毫秒|B\b|KB|MB|GB|KiB|MiB|GiB|bytes\b|字节)"
)
VERSION = re.compile(
    r"\b(PyTorch|torch|torchvision|Lightning|lightning|torchao)\s+v?(\d+\.\d+(?:\.\d+)?)\b"
)


def figures(text, measured_only=False):
    """The figures a text states: decimals, integers from 10 up, and any number with a unit.

    With `measured_only`, only those that restate a measurement (decimals and numbers with a
    unit), not versions.
    """
    text = VERSION.sub(" ", text)
    text = re.sub(r"\b(?:Python|CUDA|cuDNN|Lightning|onnx|opset)\s+\d+(?:\.\d+)*", " ", text)
    found = set()
    for match in NUMBER.finditer(text):
        number = match.group().replace(",", "")
        # 32×32, 224×224: a size, not a ratio.
        size = re.match(r"\s?[×x]\s?\d", text[match.end() :]) or re.search(
            r"\d\s?[×x]\s?$", text[: match.start()]
        )
        has_unit = bool(UNIT.match(text, match.end())) and not size
        decimal = "." in number
        if decimal or has_unit or (not measured_only and int(number) >= 10):
            found.add(number)
    return found


def page_values(page):
    """Every number printed by or written in the snippets a page includes (outputs on CPU and
    GPU, and the snippet sources), as Decimals."""
    from decimal import Decimal

    values = set()
    for include in page.includes:
        path = SNIPPETS / include
        related = [path]
        if include.endswith(".py"):
            related += [path.with_suffix(".out"), path.with_name(path.stem + ".cuda.out")]
        for file in related:
            if not file.exists():
                continue
            text = snippet_needs.MARKER.sub(
                "", file.read_text("utf-8")
            )  # annotation numbers are no figures
            for token in VALUE.findall(text):
                values.add(Decimal(token.replace(",", "")))
    return values


# A number as printed or written in code: 0.609, 1e-3, 352,981; not the 32 of float32 or q17_.
VALUE = re.compile(r"(?<![\w.])\d+(?:,\d{3})*(?:\.\d+)?(?:e[-+]?\d+)?(?![\w])")


def versions(text):
    """(library, version) pairs stated with three parts, e.g. ("torch", "2.14.1")."""
    names = {"pytorch": "torch", "torch": "torch", "lightning": "lightning"}
    return [
        (names.get(library.lower(), library.lower()), version)
        for library, version in VERSION.findall(text)
        if version.count(".") == 2
    ]


def snippet_files():
    """The snippets and their outputs (not snippets/snippets.toml, which declares their needs)."""
    return sorted(
        p
        for p in SNIPPETS.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p != snippet_needs.DECLARATIONS
    )


SEARCH_TERMS = {
    # page -> terms a reader types, per language
    "q11-backpropagation": {"zh": ["反向传播", "梯度", "计算图"], "en": ["backpropagation"]},
    "q12-gpu": {"zh": ["显存", "混合精度"], "en": ["GPU", "autocast"]},
    "q13-lightning": {
        "zh": ["回调", "早停", "检查点"],
        "en": ["Lightning", "Fabric", "callback", "EarlyStopping"],
    },
    "q14-debugging-profiling": {
        "zh": ["异常检测", "钩子", "性能分析"],
        "en": ["profiler", "anomaly", "hooks", "gradcheck"],
    },
    "q15-save-load": {
        "zh": ["检查点", "缓冲区", "权重共享"],
        "en": ["checkpoint", "safetensors", "ONNX", "HDF5"],
    },
    "q16-data-parallel": {
        "zh": ["数据并行", "进程组"],
        "en": ["DataParallel", "DistributedDataParallel", "torchrun", "DistributedSampler"],
    },
    "q17-transfer-learning": {
        "zh": ["迁移学习", "微调", "预训练模型"],
        "en": ["pretrained", "ImageFolder", "BatchNorm"],
    },
    "q18-dynamic-static-graphs": {
        "zh": ["动态图", "静态图", "图中断"],
        "en": ["eager", "TorchDynamo", "guards"],
    },
    "q19-variable-size-inputs": {
        "zh": ["填充", "掩码", "自适应池化", "可变形卷积"],
        "en": ["padding", "mask", "deformable", "AdaptiveAvgPool2d"],
    },
    "q20-compression-quantization": {
        "zh": ["剪枝", "量化", "知识蒸馏"],
        "en": ["pruning", "quantization", "torchao", "distillation"],
    },
}


def mkdocs_build(root, site_dir):
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
