"""Keep only the notebook CSS a notebook page uses, and drop the Mermaid loader it never needs.

mkdocs-jupyter inlines JupyterLab's whole stylesheet (about 580 KB, 88 KB gzip) into every
notebook page, plus a Mermaid loader script although no notebook here has a diagram. On a phone
that stylesheet was most of the page's weight and of its style work (Lighthouse). This hook
parses the inlined CSS (tinycss2, which the docs build already installs) and keeps a rule only
when every class and attribute it names occurs in the page, or it is one Material toggles (the
colour scheme); custom properties no kept rule reads are dropped too. Both colour schemes keep
their rules: the attribute Material switches is always kept.
"""

import functools
import re

import tinycss2

STYLE = re.compile(r'<style type="text/css">(.*?)</style>', re.S)
# nbconvert's Mermaid loader: a module script that imports Mermaid from a CDN when the page has
# a diagram, its styles, and the end marker.
MERMAID = re.compile(
    r'<script type="module">\s*document\.addEventListener\("DOMContentLoaded", async \(\) => \{'
    r'\s*const diagrams = document\.querySelectorAll\("\.jp-Mermaid > pre\.mermaid"\);'
    r".*?<!-- End of mermaid configuration -->",
    re.S,
)
# mkdocs-jupyter also writes the Pygments CSS a second time, as the repr of a Python list.
LIST_REPR_STYLE = re.compile(r"<style>\s*\['.*?'\]\s*</style>", re.S)
CLASS_ATTRIBUTE = re.compile(r'\sclass="([^"]*)"')
ATTRIBUTE_NAME = re.compile(r"\s([a-zA-Z][\w:-]*)=")
CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
ATTRIBUTE = re.compile(r"\[\s*([\w-]+)")
NEGATION = re.compile(r":not\([^()]*\)")
# Set on <body> by Material's palette toggle at run time, never in the built HTML of a notebook.
RUNTIME_ATTRIBUTES = {"data-md-color-scheme", "data-md-color-primary", "data-md-color-accent"}
# Inside the notebook wrapper, these can never match.
NEVER_INSIDE = re.compile(r"\S\s+(?::root|html|body)\b")
VAR = re.compile(r"var\(\s*(--[\w-]+)")


def _selector_used(selector, classes, attributes):
    if NEVER_INSIDE.search(selector):
        return False
    plain = NEGATION.sub("", selector)
    return all(c in classes for c in CLASS.findall(plain)) and all(
        a in attributes or a in RUNTIME_ATTRIBUTES for a in ATTRIBUTE.findall(plain)
    )


def _split_selectors(prelude):
    """A selector list split at its top-level commas (not those inside :is(...) and the like)."""
    selectors = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append([])
        else:
            selectors[-1].append(token)
    return [tinycss2.serialize(tokens).strip() for tokens in selectors]


def _parse_rules(rules):
    """Rules as plain tuples: ("rule", selectors, declarations), ("at", head, rules) or
    ("keyframes", name, text); a declaration is (name, value, important)."""
    parsed = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = _split_selectors(rule.prelude)
            declarations = [
                (d.name, tinycss2.serialize(d.value).strip(), d.important)
                for d in tinycss2.parse_blocks_contents(
                    rule.content, skip_whitespace=True, skip_comments=True
                )
                if d.type == "declaration"
            ]
            parsed.append(("rule", [s for s in selectors if s], declarations))
        elif rule.type == "at-rule" and rule.content is not None:
            keyword = rule.lower_at_keyword
            prelude = tinycss2.serialize(rule.prelude).strip()
            if keyword in {"media", "supports"}:
                inner = tinycss2.parse_rule_list(
                    rule.content, skip_whitespace=True, skip_comments=True
                )
                parsed.append(("at", f"@{keyword} {prelude}", _parse_rules(inner)))
            elif keyword == "keyframes":
                parsed.append(("keyframes", prelude, tinycss2.serialize([rule])))
    return parsed


@functools.lru_cache(maxsize=4)
def _parse(css):
    # Every notebook page inlines the same stylesheet: parse it once per build.
    return _parse_rules(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True))


def _used(parsed, classes, attributes):
    kept = []
    for kind, head, body in parsed:
        if kind == "rule":
            selectors = [s for s in head if _selector_used(s, classes, attributes)]
            if selectors:
                kept.append((kind, selectors, body))
        elif kind == "at":
            inner = _used(body, classes, attributes)
            if inner:
                kept.append((kind, head, inner))
        else:
            kept.append((kind, head, body))
    return kept


def _declarations(kept):
    for kind, _, body in kept:
        if kind == "rule":
            yield from body
        elif kind == "at":
            yield from _declarations(body)


def _serialize(kept, wanted, animations):
    out = []
    for kind, head, body in kept:
        if kind == "keyframes":
            if head in animations:
                out.append(body)
        elif kind == "at":
            inner = _serialize(body, wanted, animations)
            if inner:
                out.append(head + "{" + inner + "}")
        else:
            text = ";".join(
                f"{name}:{value}" + ("!important" if important else "")
                for name, value, important in body
                if not name.startswith("--") or name in wanted
            )
            if text:
                out.append(",".join(head) + "{" + text + "}")
    return "".join(out)


def purge(css, html):
    """The part of `css` that can apply to `html` (a page of the built site)."""
    classes = {c for value in CLASS_ATTRIBUTE.findall(html) for c in value.split()}
    attributes = set(ATTRIBUTE_NAME.findall(html))
    kept = _used(_parse(css), classes, attributes)
    declarations = list(_declarations(kept))
    # Custom properties: keep those that a kept property reads, directly or through another.
    custom = {}
    wanted = set()
    for name, value, _ in declarations:
        if name.startswith("--"):
            custom[name] = custom.get(name, "") + " " + value
        else:
            wanted |= set(VAR.findall(value))
    frontier = set(wanted)
    while frontier:
        for reference in VAR.findall(custom.get(frontier.pop(), "")):
            if reference not in wanted:
                wanted.add(reference)
                frontier.add(reference)
    animations = {
        word
        for name, value, _ in declarations
        if name in {"animation", "animation-name"}
        for word in re.findall(r"[\w-]+", value)
    }
    return _serialize(kept, wanted, animations)


def on_post_page(output, page, config):
    if not page.file.src_uri.endswith(".ipynb"):
        return output
    if 'class="jp-Mermaid' not in output:
        output = MERMAID.sub("", output)
    output = LIST_REPR_STYLE.sub("", output)
    styles = STYLE.findall(output)
    if not styles:
        return output
    # One stylesheet where there were several, in the place of the first.
    css = purge("\n".join(styles), STYLE.sub("", output))
    first = True

    def replace(match):
        nonlocal first
        if first:
            first = False
            return f'<style type="text/css">{css}</style>'
        return ""

    return STYLE.sub(replace, output)
