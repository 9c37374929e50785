"""Guards over docs/: every code block is a tested snippet, and zh and en stay in step."""

import re

import pytest
from pages import (
    DOCS,
    LANGUAGES,
    OUTPUT_TITLE,
    SKIP_MARK,
    annotation_list,
    markers,
    pages,
    parse,
    snippet_files,
)
from snippet_runner import SNIPPETS, TESTS, expected_output_path

ALL_PAGES = pages()
EXECUTED_LANGS = {"python", "sh", "bash"}  # what pytest-codeblocks runs


def page_ids(items):
    return [str(p) for p in items]


def test_both_languages_hold_the_same_pages():
    names = {lang: {p.name for p in pages(lang)} for lang in LANGUAGES}
    assert names["zh"] == names["en"]
    assert "index.md" in names["zh"]


@pytest.mark.parametrize("name", sorted({p.name for p in pages("zh")}))
def test_translations_have_the_same_structure(name):
    zh, en = (parse(DOCS / lang / name) for lang in LANGUAGES)
    assert [level for level, _ in zh.headings] == [level for level, _ in en.headings], (
        "heading levels differ"
    )
    assert zh.includes == en.includes, "snippet includes differ or are in another order"
    assert zh.admonitions == en.admonitions, "admonitions differ"


@pytest.mark.parametrize("page", ALL_PAGES, ids=page_ids(ALL_PAGES))
def test_every_code_block_is_a_snippet_or_executed(page):
    assert not page.stray_includes, f"{page}: snippet include outside a code block, lines " + str(
        page.stray_includes
    )
    for fence in page.fences:
        where = f"{page}:{fence.start}"
        if fence.include:
            target = SNIPPETS / fence.include
            if target.suffix == ".py":
                assert fence.info == f'py title="snippets/{fence.include}"', (
                    f'{where}: write ``` py title="snippets/{fence.include}"'
                )
            else:
                assert target.suffix == ".out", f"{where}: only .py and .out files are included"
                assert fence.info == f'text title="{OUTPUT_TITLE[page.language]}"', where
            continue
        before = "\n".join(page.lines[max(0, fence.start - 3) : fence.start - 1])
        message = (
            f"{where}: a code block must be a snippet include or a plain "
            f"python/sh/bash block that pytest-codeblocks executes"
        )
        assert fence.info in EXECUTED_LANGS, message
        assert not SKIP_MARK.search(before), message


@pytest.mark.parametrize("page", ALL_PAGES, ids=page_ids(ALL_PAGES))
def test_annotations_match_the_markers_in_the_snippet(page):
    for fence in page.fences:
        if fence.include and fence.include.endswith(".py"):
            expected = markers(SNIPPETS / fence.include)
            found = annotation_list(page, fence)
            assert found == expected, (
                f"{page}:{fence.end}: {fence.include} has markers {expected}, "
                f"the list after it explains {found}"
            )


@pytest.mark.parametrize("page", ALL_PAGES, ids=page_ids(ALL_PAGES))
def test_printed_output_sits_under_its_code(page):
    includes = page.includes
    for i, path in enumerate(includes):
        if path.endswith(".py"):
            out = expected_output_path(SNIPPETS / path, "cpu")
            if out.exists():
                following = includes[i + 1] if i + 1 < len(includes) else None
                assert following == out.relative_to(SNIPPETS).as_posix(), (
                    f"{page}: {path} prints output; include its .out right after the code"
                )
        else:
            previous = includes[i - 1] if i > 0 else None
            assert previous == path.removesuffix(".out") + ".py", (
                f"{page}: {path} is not directly under its snippet"
            )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_snippet_file_is_on_a_page(language):
    included = {path for page in pages(language) for path in page.includes}
    orphans = [
        p.relative_to(SNIPPETS).as_posix()
        for p in snippet_files()
        if not p.name.endswith(".cuda.out")
    ]
    assert sorted(set(orphans) - included) == []
    assert sorted(included - set(orphans)) == []


def test_every_snippet_has_its_mirrored_test():
    for snippet in SNIPPETS.rglob("*.py"):
        test = TESTS / snippet.relative_to(SNIPPETS).parent / f"test_{snippet.name}"
        assert test.exists(), f"{snippet.relative_to(SNIPPETS)} has no test {test}"
        assert re.search(r"def test_\w+\([^)]*\bsnippet\b", test.read_text()), (
            f"{test} never runs its snippet (no test takes the `snippet` fixture)"
        )
    for test in TESTS.glob("q*/test_*.py"):
        snippet = SNIPPETS / test.parent.name / test.name.removeprefix("test_")
        assert snippet.exists(), f"{test} mirrors no snippet"


def test_snippet_markers_count_up_from_one():
    for snippet in SNIPPETS.rglob("*.py"):
        found = markers(snippet)
        assert found == list(range(1, len(found) + 1)), f"{snippet}: markers {found}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_page_lists_all_ten_questions(language):
    home = parse(DOCS / language / "index.md")
    text = "\n".join(home.lines)
    for number in range(11, 21):
        assert re.search(rf"^\s*[-*]\s.*\b{number}\b", text, re.M), f"Q{number} missing"
    for page in pages(language):
        if page.name != "index.md":
            assert f"({page.name})" in text, f"home page does not link {page.name}"
        if page.name.startswith("q"):
            assert page.includes, f"{page} has no snippet: no empty pages"


CJK = r"[\u3400-\u4dbf\u4e00-\u9fff]"
TYPESETTING = [
    (re.compile(rf"{CJK}[A-Za-z0-9`]|[A-Za-z0-9`]{CJK}"), "space between Chinese and Latin"),
    (re.compile(rf"{CJK}[,;:!?()]|[,;:!?(]{CJK}"), "full-width punctuation in Chinese"),
    (re.compile(rf"{CJK} +[，。；：！？、）」』”]|[（「『“] +{CJK}"), "no space at full-width"),
]


def prose(page):
    """Lines of a page with code, link targets, HTML and markup removed."""
    skip = {n for f in page.fences for n in range(f.start, f.end + 1)}
    for number, line in enumerate(page.lines, start=1):
        if number in skip:
            continue
        line = re.sub(r"`[^`]+`", "`", line)  # keep a mark where code was
        line = re.sub(r"\]\([^)]*\)", "]", line)
        line = re.sub(r"<[^>]+>|https?://\S+|\*\*|\*|\[|\]", "", line)
        line = re.sub(r'^\s*(?:!!!|\?\?\?)\s+\w+\s+"(.*)"\s*$', r"\1", line)
        yield number, line


@pytest.mark.parametrize("page", pages("zh"), ids=page_ids(pages("zh")))
def test_chinese_typesetting(page):
    problems = [
        f"{page}:{number}: {why}: {line.strip()}"
        for number, line in prose(page)
        for pattern, why in TYPESETTING
        if pattern.search(line)
    ]
    assert problems == []
