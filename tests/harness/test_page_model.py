"""The page parser (harness/site/pages.py) on small Markdown fixtures
(tests/harness/fixtures/minisite)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.site.pages import Site, join_lines, lang_of, page_url, strip_markers

FIXTURE = Path(__file__).parent / "fixtures" / "minisite"


@pytest.fixture(scope="module")
def site() -> Site:
    return Site(FIXTURE)


def test_pages_and_languages(site):
    assert [(p.name, p.lang) for p in site.pages] == [("page", "en"), ("page", "zh")]
    assert [p.url for p in site.pages] == ["page/", "zh/page/"]
    assert site.page("page", "zh").rel == "docs/page.zh.md"
    with pytest.raises(LookupError, match=r"docs/other\.zh\.md"):
        site.page("other", "zh")


def test_front_matter_and_headings(site):
    en = site.page("page", "en")
    assert en.front_matter["description"].startswith("A fixture page")
    assert en.title == "Fixture"
    assert [(level, anchor) for _, level, _, anchor in en.headings] == [
        (1, "fixture"),
        (2, "plain"),
    ]
    assert en.headings[0][0] == 5  # line numbers count the front matter


def test_blocks_inside_tabs_and_admonitions(site):
    en = site.page("page", "en")
    first, second, plain = en.blocks
    assert (first.line, first.indent, first.lang) == (13, "        ", "python")
    assert [(i.path, i.section, i.line) for i in first.includes] == [("demo/load.py", "load", 14)]
    assert second.lang == "bash" and second.annotations == []
    assert [depth for _, depth, _ in en.tabs] == [1, 1]
    assert [(kind, t) for _, _, kind, t in en.admonitions] == [("???+", "example")]
    assert plain.indent == "" and plain.includes[0].section is None


def test_annotations_after_a_block(site):
    first = site.page("page", "en").blocks[0]
    assert first.annotation_numbers == [1, 2]
    assert first.annotation_lines == [17, 19]
    assert first.annotations[0] == "Loads it, and the text wraps onto a second line."
    # Links inside annotation text are links of the page too.
    assert (19, "#fixture") in site.page("page", "en").links


def test_wrapped_chinese_lines_join_without_spaces(site):
    first = site.page("page", "zh").blocks[0]
    assert first.annotations == ["加载模型，这一行换到了下一行。", "第二项，English words跨行。"]
    assert join_lines(["wraps onto", "a line"]) == "wraps onto a line"


def test_markers_count_the_whole_file(site):
    assert site.markers("demo/load.py") == [(2, "1"), (3, "2"), (5, "3")]
    plain = site.page("page", "en").blocks[2]
    assert len(plain.markers) == 3 and plain.annotation_numbers == [1, 2, 3]


def test_copy_button_text_drops_markers_and_section_lines(site):
    code = strip_markers(site.snippet_text("demo/load.py"))
    assert code == "model = load()\ntokens = model.run()\nprint(tokens)\n"


def test_where_names_every_including_line(site):
    assert site.where("demo/load.py") == (
        "snippets/demo/load.py (included by docs/page.md:14, docs/page.md:30, docs/page.zh.md:12)"
    )
    assert site.closest_snippet("demo/lod.py") == "demo/load.py"


def test_language_helpers():
    assert lang_of("chat.zh.md") == "zh" and lang_of("docs/chat.md") == "en"
    assert page_url("index", "zh") == "zh/" and page_url("chat", "en") == "chat/"
