"""Read the Markdown pages under docs/ the way the guard tests need them."""

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from snippet_runner import ROOT, SNIPPETS

DOCS = ROOT / "docs"
LANGUAGES = ("zh", "en")
OUTPUT_TITLE = {"zh": "输出", "en": "Output"}

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,})[ \t]*(?P<info>.*?)[ \t]*$")
INCLUDE = re.compile(r'^\s*--8<--\s+"(?P<path>[^"]+)"\s*$')
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)\s*#*\s*$")
ADMONITION = re.compile(r"^\s*(?:!!!|\?\?\?\+?)\s+(?P<kind>[\w-]+)")
LIST_ITEM = re.compile(r"^(?P<number>\d+)\.\s+\S")
MARKER = re.compile(r"#\s*\((?P<number>\d+)\)!")
SKIP_MARK = re.compile(r"<!--\s*pytest(?:\.mark\.skip|-codeblocks:skip)")


@dataclass
class Fence:
    start: int  # 1-based line of the opening fence
    end: int  # 1-based line of the closing fence
    info: str
    body: list

    @property
    def lang(self):
        return self.info.split()[0] if self.info else ""

    @property
    def include(self):
        """The snippet path if this fence is exactly one pymdownx.snippets include."""
        lines = [line for line in self.body if line.strip()]
        match = INCLUDE.match(lines[0]) if len(lines) == 1 else None
        return match["path"] if match else None

    @property
    def title(self):
        match = re.search(r'title="([^"]*)"', self.info)
        return match[1] if match else None


@dataclass
class Page:
    path: Path
    lines: list
    fences: list = field(default_factory=list)
    headings: list = field(default_factory=list)
    admonitions: list = field(default_factory=list)
    stray_includes: list = field(default_factory=list)

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
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    page = Page(Path(path), lines)
    open_fence = None
    for number, line in enumerate(lines, start=1):
        match = FENCE.match(line)
        if open_fence:
            ticks, start, info, body = open_fence
            if match and not match["info"] and match["ticks"].startswith(ticks):
                page.fences.append(Fence(start, number, info, body))
                open_fence = None
            else:
                body.append(line)
            continue
        if match:
            open_fence = (match["ticks"], number, match["info"], [])
        elif heading := HEADING.match(line):
            page.headings.append((len(heading["hashes"]), heading["text"]))
        elif admonition := ADMONITION.match(line):
            page.admonitions.append(admonition["kind"])
        elif INCLUDE.match(line):
            page.stray_includes.append(number)
    if open_fence:
        raise AssertionError(f"{path}:{open_fence[1]}: code fence is never closed")
    return page


def pages(language=None):
    languages = [language] if language else LANGUAGES
    return [parse(p) for lang in languages for p in sorted((DOCS / lang).rglob("*.md"))]


def annotation_list(page, fence):
    """Numbers of the ordered list that directly follows a code fence (Material annotations)."""
    numbers = []
    for line in page.lines_after(fence):
        if not line.strip():
            continue
        if item := LIST_ITEM.match(line):
            numbers.append(int(item["number"]))
        elif not line.startswith((" ", "\t")):
            break
    return numbers


def markers(snippet):
    return [int(m["number"]) for m in MARKER.finditer(Path(snippet).read_text(encoding="utf-8"))]


def snippet_files():
    return sorted(p for p in SNIPPETS.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


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
