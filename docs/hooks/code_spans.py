"""Fewer elements in highlighted code: drop the Pygments spans that change nothing on screen.

Pygments wraps every token of a code block in a span. Names (`n`) take Material's name colour,
which is the code colour itself in both schemes (`--md-code-hl-name-color:
var(--md-code-fg-color)`), and white space (`w`) has no colour at all, so their spans render
exactly like bare text. They were about a third of all elements on the long Q&A pages (810 of
3,366 on q15), and every element costs style and layout work on a phone (Lighthouse) and time in
axe-core. Only Material's code blocks (`<div class="highlight">`) are touched; the copy buttons
copy the snippet file (copy_snippet_source.py), not the rendered text.
"""

import re

CODE_BLOCK = re.compile(r'(<div class="highlight"[^>]*>)(.*?)(</div>)', re.S)
PLAIN_SPAN = re.compile(r'<span class="(?:n|w)">([^<]*)</span>')


def on_post_page(output, page, config):
    if page.file.src_uri.endswith(".ipynb"):
        return output
    return CODE_BLOCK.sub(
        lambda m: m.group(1) + PLAIN_SPAN.sub(r"\1", m.group(2)) + m.group(3), output
    )
