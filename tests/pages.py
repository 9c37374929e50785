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


# What readers type into search, per page and language: the topic, its usual variants and
# synonyms, API names as written in code (dotted), and Chinese queries that mix in an API name.
# The browser tests check that each one puts its page FIRST, in the reader's language; a page
# that only mentions a term must not come before the page about it. Ranking comes from the text
# and headings of the pages and from their search keywords (docs/search-keywords.yml).
SEARCH_TERMS = {
    "q11-backpropagation": {
        "zh": [
            "反向传播",
            "梯度",
            "计算图",
            "自动求导",
            "autograd",
            "链式法则",
            "loss.backward",
            "backward",
            "zero_grad",
            "retain_graph",
            "no_grad",
            "inference_mode",
            "detach",
            "autograd.Function",
            "叶子张量",
            "梯度累加",
            "前向传播",
            "反向传播 计算图",
            "zero_grad 梯度累加",
            "no_grad 和 detach",
        ],
        "en": [
            "backpropagation",
            "backprop",
            "backward pass",
            "autograd",
            "gradient",
            "computational graph",
            "chain rule",
            "loss.backward",
            "zero_grad",
            "retain_graph",
            "no_grad",
            "inference_mode",
            "detach",
            "autograd.Function",
            "leaf tensor",
            "gradient accumulation",
            "forward pass",
            "automatic differentiation",
        ],
    },
    "q12-gpu": {
        "zh": [
            "GPU",
            "CUDA",
            "显存",
            "显卡",
            "混合精度",
            "自动混合精度",
            "混合精度训练",
            "AMP",
            "autocast",
            "GradScaler",
            "torch.amp.GradScaler",
            "torch.autocast",
            "torch.cuda.is_available",
            "显存不足",
            "OOM",
            "锁页内存",
            "pin_memory",
            "bfloat16",
            "empty_cache",
            "autocast 混合精度",
            "用 GPU 训练",
        ],
        "en": [
            "GPU",
            "CUDA",
            "GPU memory",
            "mixed precision",
            "automatic mixed precision",
            "AMP",
            "autocast",
            "GradScaler",
            "torch.amp.GradScaler",
            "torch.autocast",
            "torch.cuda.is_available",
            "out of memory",
            "OOM",
            "pinned memory",
            "pin_memory",
            "bfloat16",
            "empty_cache",
            "device mismatch",
        ],
    },
    "q13-lightning": {
        "zh": [
            "Lightning",
            "PyTorch Lightning",
            "LightningModule",
            "Trainer",
            "Fabric",
            "回调",
            "callback",
            "早停",
            "EarlyStopping",
            "training_step",
            "自动优化",
            "手动优化",
            "Lightning 优点",
            "Lightning 回调",
            "Trainer 早停",
        ],
        "en": [
            "Lightning",
            "PyTorch Lightning",
            "LightningModule",
            "Trainer",
            "Fabric",
            "callback",
            "early stopping",
            "EarlyStopping",
            "training_step",
            "automatic optimization",
            "manual optimization",
            "boilerplate",
            "Lightning pros and cons",
        ],
    },
    "q14-debugging-profiling": {
        "zh": [
            "调试",
            "性能优化",
            "性能分析",
            "profiler",
            "torch.profiler",
            "异常检测",
            "detect_anomaly",
            "torch.autograd.set_detect_anomaly",
            "NaN",
            "钩子",
            "register_forward_hook",
            "批量大小",
            "吞吐量",
            "数据加载",
            "num_workers",
            "优化器",
            "梯度爆炸",
            "模型调试",
            "profiler 性能分析",
            "钩子 NaN",
        ],
        "en": [
            "debugging",
            "debug",
            "profiling",
            "profiler",
            "torch.profiler",
            "anomaly detection",
            "detect_anomaly",
            "torch.autograd.set_detect_anomaly",
            "NaN",
            "hooks",
            "register_forward_hook",
            "batch size",
            "throughput",
            "data loading",
            "num_workers",
            "optimizer",
            "exploding gradients",
            "performance",
        ],
    },
    "q15-save-load": {
        "zh": [
            "保存模型",
            "加载模型",
            "模型保存",
            "模型加载",
            "保存和加载",
            "state_dict",
            "load_state_dict",
            "torch.save",
            "torch.load",
            "检查点",
            "checkpoint",
            "weights_only",
            "safetensors",
            "ONNX",
            "HDF5",
            "map_location",
            "缓冲区",
            "权重共享",
            "torch.save 保存模型",
            "state_dict 加载",
            "导出 ONNX",
        ],
        "en": [
            "save model",
            "load model",
            "save and load",
            "state_dict",
            "load_state_dict",
            "torch.save",
            "torch.load",
            "checkpoint",
            "weights_only",
            "safetensors",
            "ONNX",
            "HDF5",
            "h5py",
            "map_location",
            "buffers",
            "weight sharing",
            "serialization",
            "export to ONNX",
        ],
    },
    "q16-data-parallel": {
        "zh": [
            "数据并行",
            "分布式数据并行",
            "分布式训练",
            "DataParallel",
            "nn.DataParallel",
            "DistributedDataParallel",
            "DDP",
            "torchrun",
            "DistributedSampler",
            "进程组",
            "init_process_group",
            "多卡",
            "多卡训练",
            "多 GPU",
            "全局批量大小",
            "梯度平均",
            "DataParallel 多卡",
            "DDP 分布式训练",
            "torchrun 启动",
        ],
        "en": [
            "data parallelism",
            "data parallel",
            "distributed training",
            "DataParallel",
            "nn.DataParallel",
            "torch.nn.parallel.DistributedDataParallel",
            "DistributedDataParallel",
            "DDP",
            "torchrun",
            "DistributedSampler",
            "process group",
            "init_process_group",
            "multi-GPU",
            "multiple GPUs",
            "all-reduce",
        ],
    },
    "q17-transfer-learning": {
        "zh": [
            "迁移学习",
            "微调",
            "fine-tune",
            "fine-tuning",
            "预训练模型",
            "预训练",
            "pretrained",
            "冻结参数",
            "冻结",
            "解冻",
            "requires_grad",
            "BatchNorm",
            "ImageFolder",
            "torchvision.models",
            "resnet18",
            "学习率",
            "参数组",
            "特征提取器",
            "微调 预训练模型",
            "冻结 BatchNorm",
            "resnet18 迁移学习",
        ],
        "en": [
            "transfer learning",
            "fine-tune",
            "fine-tuning",
            "finetune",
            "pretrained model",
            "pretrained",
            "pre-trained",
            "freeze",
            "freezing layers",
            "unfreeze",
            "BatchNorm",
            "ImageFolder",
            "torchvision.models",
            "resnet18",
            "learning rate",
            "parameter groups",
            "feature extractor",
            "backbone",
        ],
    },
    "q18-dynamic-static-graphs": {
        "zh": [
            "动态图",
            "静态图",
            "eager",
            "eager 模式",
            "torch.compile",
            "torch.fx",
            "torch.fx.symbolic_trace",
            "符号追踪",
            "torch.export",
            "TorchDynamo",
            "图中断",
            "graph break",
            "守卫",
            "guards",
            "TorchScript",
            "torch.jit",
            "算子融合",
            "动态图和静态图",
            "torch.compile 图中断",
            "torch.export 静态图",
        ],
        "en": [
            "dynamic graph",
            "static graph",
            "eager",
            "eager mode",
            "torch.compile",
            "torch.fx",
            "torch.fx.symbolic_trace",
            "symbolic tracing",
            "torch.export",
            "TorchDynamo",
            "graph break",
            "guards",
            "TorchScript",
            "torch.jit",
            "operator fusion",
            "define-by-run",
        ],
    },
    "q19-variable-size-inputs": {
        "zh": [
            "不同大小的输入",
            "变长序列",
            "填充",
            "padding",
            "pad_sequence",
            "rnn.pad_sequence",
            "pack_padded_sequence",
            "PackedSequence",
            "掩码",
            "mask",
            "注意力掩码",
            "自适应池化",
            "AdaptiveAvgPool2d",
            "nn.AdaptiveAvgPool2d",
            "可变形卷积",
            "deform_conv2d",
            "嵌套张量",
            "nested tensor",
            "interpolate",
            "collate_fn",
            "pad_sequence 填充",
            "变长序列 掩码",
        ],
        "en": [
            "variable-size inputs",
            "variable length",
            "variable-length sequences",
            "padding",
            "pad_sequence",
            "rnn.pad_sequence",
            "pack_padded_sequence",
            "PackedSequence",
            "mask",
            "attention mask",
            "adaptive pooling",
            "AdaptiveAvgPool2d",
            "nn.AdaptiveAvgPool2d",
            "deformable convolution",
            "deform_conv2d",
            "nested tensor",
            "interpolate",
            "collate_fn",
        ],
    },
    "q20-compression-quantization": {
        "zh": [
            "模型压缩",
            "量化",
            "模型量化",
            "quantization",
            "剪枝",
            "权重剪枝",
            "pruning",
            "torch.nn.utils.prune",
            "知识蒸馏",
            "蒸馏",
            "distillation",
            "torchao",
            "quantize_dynamic",
            "torch.ao.quantization.quantize_dynamic",
            "动态量化",
            "静态量化",
            "int8",
            "Top-1",
            "Top-5",
            "准确率",
            "稀疏度",
            "torchao 量化",
            "剪枝 稀疏度",
        ],
        "en": [
            "model compression",
            "compression",
            "quantization",
            "quantize",
            "pruning",
            "prune",
            "weight pruning",
            "torch.nn.utils.prune",
            "knowledge distillation",
            "distillation",
            "torchao",
            "quantize_dynamic",
            "torch.ao.quantization.quantize_dynamic",
            "dynamic quantization",
            "static quantization",
            "int8",
            "top-1 accuracy",
            "top-5",
            "sparsity",
        ],
    },
}


def copy_sources(root):
    """What `mkdocs build` reads, copied to `root`, so that a test can plant a fault in it."""
    import shutil

    for name in ("docs", "snippets", "requirements"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "mkdocs.yml", root)
    return root


def _mkdocs_build_command(site_dir):
    return [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)]


def mkdocs_build(root, site_dir):
    return subprocess.run(
        _mkdocs_build_command(site_dir),
        cwd=root,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def start_mkdocs_build(root, site_dir):
    """The same build, started in the background; `.communicate()` waits for it."""
    return subprocess.Popen(
        _mkdocs_build_command(site_dir),
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
