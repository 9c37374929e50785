"""The blocks of a page's Markdown that the tests and the build hooks look at, from one parser.

markdown-it-py (CommonMark) with the admonition plugin of mdit-py-plugins, which reads Material's
`!!!`, `???` and `???+` admonitions; both are pinned in requirements/docs.txt (jupytext needs
them). tests/pages.py builds its Page from these blocks, docs/hooks/notebooks.py builds the
notebooks from them, and docs/hooks/gpu_speed.py finds the output blocks it adds a table under.

Not a hook itself; the hooks import it (MkDocs puts docs/hooks/ on sys.path while it loads them).
Line numbers are 1-based, as an editor shows them.
"""

import re
from dataclasses import dataclass, field

INCLUDE = re.compile(r'^\s*--8<--\s+"(?P<path>[^"]+)"\s*$')
TITLE = re.compile(r'"(?P<title>[^"]*)"')


@dataclass
class Fence:
    start: int  # line of the opening fence
    end: int  # line of the closing fence
    info: str
    body: list  # the lines between, as on the page (indentation kept)
    indent: str = ""  # the opening fence's indentation (inside an admonition: four spaces)

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
class Heading:
    line: int
    level: int
    text: str


@dataclass
class Admonition:
    line: int  # the `!!! kind "title"` line
    end: int  # the last line of its body
    marker: str  # !!!, ??? or ???+
    kind: str
    title: str
    depth: int  # how many admonitions it sits in


@dataclass
class Blocks:
    lines: list
    fences: list = field(default_factory=list)
    headings: list = field(default_factory=list)  # top-level headings only
    admonitions: list = field(default_factory=list)  # in page order, nested ones too

    def fence_lines(self):
        return {n for fence in self.fences for n in range(fence.start, fence.end + 1)}

    def depth(self, line):
        """How many admonition bodies hold this line."""
        return sum(a.line < line <= a.end for a in self.admonitions)


def _parser():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.admon import admon_plugin

    return MarkdownIt("commonmark").use(admon_plugin)


_PARSER = []


def parse(text, where="<page>"):
    """The fences, headings and admonitions of a Markdown page's source."""
    if not _PARSER:
        _PARSER.append(_parser())
    lines = text.splitlines()
    blocks = Blocks(lines)
    depth = 0
    for token in _PARSER[0].parse(text):
        if token.type == "admonition_close":
            depth -= 1
        elif token.type == "admonition_open":
            first, last = token.map
            title = TITLE.search(token.info)
            blocks.admonitions.append(
                Admonition(
                    line=first + 1,
                    end=last,
                    marker=token.markup,
                    kind=token.meta["tag"],
                    title=title["title"] if title else "",
                    depth=depth,
                )
            )
            depth += 1
        elif token.type == "fence":
            first, last = token.map
            opening, closing = lines[first], lines[last - 1]
            if last - first < 2 or not closing.strip().startswith(token.markup):
                raise AssertionError(f"{where}:{first + 1}: code fence is never closed")
            blocks.fences.append(
                Fence(
                    start=first + 1,
                    end=last,
                    info=token.info.strip(),
                    body=lines[first + 1 : last - 1],
                    indent=opening[: len(opening) - len(opening.lstrip())],
                )
            )
        elif token.type == "heading_open" and token.level == 0 and depth == 0:
            blocks.headings.append(Heading(token.map[0] + 1, int(token.tag[1]), ""))
        elif (
            token.type == "inline"
            and blocks.headings
            and not blocks.headings[-1].text
            and blocks.headings[-1].line == token.map[0] + 1
        ):
            blocks.headings[-1].text = token.content.strip()
    return blocks
