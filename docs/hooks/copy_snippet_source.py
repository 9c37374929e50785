"""Make a code block's copy button copy its snippet file exactly, minus the annotation markers.

Material copies the text of the rendered code, where each `# (1)!` marker has become an
annotation button: the reader would get the spaces that stood before the marker at the end of
those lines. Material copies an ancestor's `data-copy` attribute instead when there is one, so
each block titled with a snippet path gets its file's text, with the markers removed.
"""

import html
import re
from pathlib import Path

BLOCK = re.compile(r'<div class="highlight"><span class="filename">(snippets/[^<]+\.py)</span>')
MARKER = re.compile(r"[ \t]*#\s*\(\d+\)!$", re.M)


def on_post_page(output, page, config):
    root = Path(config.config_file_path).parent

    def add_copy(match):
        source = MARKER.sub("", (root / match.group(1)).read_text(encoding="utf-8"))
        return match.group(0).replace(
            '<div class="highlight">',
            f'<div class="highlight" data-copy="{html.escape(source.rstrip(), quote=True)}">',
            1,
        )

    return BLOCK.sub(add_copy, output)
