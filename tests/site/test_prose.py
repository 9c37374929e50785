"""Guards over the prose of the Q&A pages: the answer first, errata that say what was wrong, and
figures that come from recorded outputs and agree between the two languages.

- Key points: every Q&A page opens, before its first section, with a `!!! abstract "要点"` /
  `"Key points"` box of at most seven bullets, each linking to the section of the page that shows
  it (`qNN-page.md#anchor`; the strict build checks that the anchor exists). The list sits between
  the section markers that the cheat sheet (cheatsheet.md) includes it by.
- Errata: collapsed (`???`) with a title that says what the original got wrong.
- Figures: a number restated in prose (a decimal, or a number with a unit such as ms, MiB, %, x)
  must be found in a recorded output or the source of a snippet on the same page, at the precision
  the prose gives it; the zh and en text of each section carry the same figures; a three-part
  PyTorch, torchvision, Lightning or torchao version is one the tests ran on.
"""

import json
import re
from decimal import Decimal
from html import unescape

import pytest
from pages import (
    DOCS,
    LANGUAGES,
    QA_PAGES,
    figures,
    key_points,
    page_admonitions,
    page_values,
    parse,
    sections,
    versions,
)
from snippet_runner import ROOT

KEY_POINTS_TITLE = {"zh": "要点", "en": "Key points"}
ERRATA_TITLE = {"zh": "原文勘误：", "en": "Errata: "}
MAX_KEY_POINTS = 7

# Figures in prose that no output or snippet on their page holds, each with where it is checked.
NOT_FROM_OUTPUTS = {}


@pytest.mark.parametrize("name", QA_PAGES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_key_points_come_first_and_link_their_sections(language, name):
    page = parse(DOCS / language / name)
    box = key_points(page)
    assert box is not None, (
        f'{page}: open with !!! abstract "{KEY_POINTS_TITLE[language]}" before the first section, '
        "its list between <!-- --8<-- [start:key-points] --> and [end:key-points] markers"
    )
    assert box.title == KEY_POINTS_TITLE[language], f"{page}: title {box.title!r}"
    assert 2 <= len(box.bullets) <= MAX_KEY_POINTS, f"{page}: {len(box.bullets)} key points"
    for bullet in box.bullets:
        links = re.findall(r"\]\(([^)#]+)#([^)]+)\)", bullet)
        assert any(target == name for target, _ in links), (
            f"{page}: key point without a link to its section ({name}#...): {bullet}"
        )
    headings = [text for level, text in page.headings if level == 2]
    assert not {"总结", "Summary", "小结"} & set(headings), (
        f"{page}: the key points replace the closing summary"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_cheat_sheet_gathers_every_key_point_list(language):
    sheet = (DOCS / language / "cheatsheet.md").read_text(encoding="utf-8")
    included = re.findall(r'^--8<-- "([^"]+)"$', sheet, re.M)
    assert included == [f"{language}/{name}:key-points" for name in QA_PAGES]
    for name in QA_PAGES:
        assert f"]({name})" in sheet, f"cheat sheet does not link {name}"


def test_cheat_sheet_shows_the_key_points_and_stays_out_of_search(site):
    for language in LANGUAGES:
        root = site if language == "zh" else site / language
        html = (root / "cheatsheet.html").read_text(encoding="utf-8")
        rendered = unescape(re.sub(r"<[^>]+>", "", html))
        for name in QA_PAGES:
            page = parse(DOCS / language / name)
            for bullet in key_points(page).bullets:
                # The first words of each key point, as rendered text.
                words = re.sub(r"\[([^\]]*)\]\([^)]*\)|[`*]", r"\1", bullet)[:12]
                assert words in rendered, (language, name, words)
            stem = name.removesuffix(".md")
            assert re.search(rf'href="{stem}\.html#[^"]+"', html), (language, name)
        index = json.loads((root / "search" / "search_index.json").read_text(encoding="utf-8"))
        assert not [d for d in index["docs"] if d["location"].startswith("cheatsheet")]


@pytest.mark.parametrize("name", QA_PAGES)
def test_errata_are_collapsed_and_say_what_was_wrong(name):
    found = {}
    for language in LANGUAGES:
        page = parse(DOCS / language / name)
        prefix = ERRATA_TITLE[language]
        errata = []
        for admonition in page_admonitions(page):
            if admonition.title.startswith(("原文勘误", "Errata")):
                where = f"{page}:{admonition.line}"
                assert admonition.marker == "???", f"{where}: errata are collapsed: ??? note"
                assert admonition.kind == "note", where
                assert admonition.title.startswith(prefix), f'{where}: title "{prefix}<what>"'
                assert len(admonition.title) > len(prefix) + 3, f"{where}: say what was wrong"
                errata.append(admonition.title)
        found[language] = len(errata)
    assert found["zh"] == found["en"]


@pytest.mark.parametrize("name", ["index.md", *QA_PAGES])
def test_both_languages_give_each_section_the_same_figures(name):
    zh, en = (sections(parse(DOCS / language / name)) for language in LANGUAGES)
    assert len(zh) == len(en), "different number of sections"
    for (zh_title, zh_text), (en_title, en_text) in zip(zh, en, strict=True):
        zh_figures, en_figures = figures(zh_text), figures(en_text)
        assert zh_figures == en_figures, (
            f"{name}, section {zh_title!r} / {en_title!r}: figures only in zh "
            f"{sorted(zh_figures - en_figures)}, only in en {sorted(en_figures - zh_figures)}"
        )


def _matches(figure, values):
    """`figure` (prose, e.g. "2.7") restates one of `values` rounded to its precision."""
    number = Decimal(figure)
    exponent = number.as_tuple().exponent
    for value in values:
        for candidate in (value, value * 100):  # 0.3 printed, 30% in prose
            if candidate.quantize(Decimal(1).scaleb(exponent)) == number:
                return True
    return False


@pytest.mark.parametrize("name", ["index.md", *QA_PAGES])
@pytest.mark.parametrize("language", LANGUAGES)
def test_measured_figures_come_from_recorded_outputs(language, name):
    page = parse(DOCS / language / name)
    values = page_values(page)
    allowed = NOT_FROM_OUTPUTS.get(name, {})
    missing = [
        f"{title}: {figure}"
        for title, text in sections(page)
        for figure in sorted(figures(text, measured_only=True))
        if figure not in allowed and not _matches(figure, values)
    ]
    assert missing == [], (
        f"{page}: figures in prose that no output or snippet on the page holds: {missing}"
    )


def _tested_versions():
    stamps = json.loads((DOCS / "tested-with.json").read_text(encoding="utf-8"))
    seen = {"torch": set(), "torchvision": set()}
    for record in stamps.values():
        for run in record.values():
            for library in seen:
                seen[library].add(run[library])
    pins = (ROOT / "requirements" / "tests.txt").read_text(encoding="utf-8")
    for library in ("lightning", "torchao", "torchvision", "torch"):
        pin = re.search(rf"^{library}==(\S+)$", pins, re.M)[1]
        seen.setdefault(library, set()).add(pin)
    return seen


def _release(version):
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


def untested_versions(text):
    """ "PyTorch 2.14.1 prints ..." must name a release the tests ran on. Releases older than any
    tested one are history ("the original was written for PyTorch 1.3.1") and pass."""
    tested = _tested_versions()
    return [
        f"{library} {version}"
        for library, version in versions(text)
        if version not in tested[library]
        and _release(version) >= min(_release(v) for v in tested[library])
    ]


@pytest.mark.parametrize("name", ["index.md", *QA_PAGES])
@pytest.mark.parametrize("language", LANGUAGES)
def test_exact_versions_in_prose_are_ones_the_tests_ran(language, name):
    page = parse(DOCS / language / name)
    text = "\n".join(text for _, text in sections(page, keep_code=True))
    assert untested_versions(text) == [], f"{page}: versions the tests did not run on"


# ---------------------------------------------------------------------------------------------
# The guards fail on the faults they exist for.


def test_a_figure_changed_in_one_language_is_caught():
    en = sections(parse(DOCS / "en" / "q11-backpropagation.md"))
    zh = sections(parse(DOCS / "zh" / "q11-backpropagation.md"))
    title, text = next((t, x) for t, x in en if figures(x))
    figure = sorted(figures(text))[0]
    planted = text.replace(figure, str(Decimal(figure) + 1), 1)
    index = [t for t, _ in en].index(title)
    assert figures(zh[index][1]) == figures(text)
    assert figures(zh[index][1]) != figures(planted)


def test_a_figure_changed_in_both_languages_is_caught():
    page = parse(DOCS / "en" / "q11-backpropagation.md")
    values = page_values(page)
    measured = sorted(set().union(*(figures(t, measured_only=True) for _, t in sections(page))))
    assert measured, "q11 restates no measured figure: pick another page for this check"
    for figure in measured:
        assert _matches(figure, values)
        wrong = str(Decimal(figure) * 3 + Decimal("0.0101"))
        assert not _matches(wrong, values), wrong


def test_a_version_the_tests_did_not_run_is_caught():
    pinned = sorted(_tested_versions()["torch"], key=_release)[-1]
    major, minor, patch = _release(pinned)
    assert untested_versions(f"In PyTorch {pinned} it warns.") == []
    assert untested_versions(f"In PyTorch {major}.{minor}.{patch + 1} it warns.") != []
    assert untested_versions("The original was written for PyTorch 1.3.1.") == []
