"""The built site: a clean strict build with every page in both languages, and nothing remote."""

from __future__ import annotations

import json
import re

import pytest

import docsite

pytestmark = pytest.mark.timeout(300)
URLS = ["", "quickstart/", "chat/", "zh/", "zh/quickstart/", "zh/chat/"]


def test_strict_build_is_clean(built_site):
    _, log = built_site
    warnings = [line for line in log.splitlines() if re.match(r"^(WARNING|ERROR)\b", line)]
    assert not warnings, "\n".join(warnings)


@pytest.mark.parametrize("url", URLS)
def test_page_is_built(built_site, url):
    site, _ = built_site
    html = (site / url / "index.html").read_text(encoding="utf-8")
    lang = "zh" if url.startswith("zh/") else "en"
    assert f'<html lang="{lang}"' in html


def test_every_source_page_is_built(built_site):
    site, _ = built_site
    missing = [p.rel for p in docsite.pages() if not (site / p.url / "index.html").is_file()]
    assert not missing, f"pages not in the built site: {missing}"


REMOTE = re.compile(
    r"<(?:script|img|iframe|source|audio|video)\b[^>]*\bsrc=\"(https?:)?//|"
    r"<link\b[^>]*\brel=\"(?:stylesheet|preload|preconnect|icon|manifest)\"[^>]*\bhref=\"(https?:)?//"
)


def test_no_page_loads_remote_assets(built_site):
    site, _ = built_site
    bad = [
        f"{page.relative_to(site)}: {m.group(0)}"
        for page in site.rglob("*.html")
        for m in REMOTE.finditer(page.read_text(encoding="utf-8"))
    ]
    assert not bad, "pages load assets from other hosts:\n" + "\n".join(bad)


def test_search_index_holds_segmented_chinese(built_site):
    site, _ = built_site
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    separator = index["config"]["separator"]
    assert "\\u200b" in separator or "\u200b" in separator, separator
    zh_chat = [d for d in index["docs"] if d["location"].startswith("zh/chat/")]
    assert zh_chat, "the Chinese chat page is not in the search index"
    assert any("\u200b" in d["text"] for d in zh_chat), "Chinese text was not segmented (jieba)"


def test_not_found_page_speaks_both_languages(built_site):
    site, _ = built_site
    html = (site / "404.html").read_text(encoding="utf-8")
    assert "This page does not exist" in html and "页面不存在" in html


def test_pages_have_descriptions_for_link_previews(built_site):
    site, _ = built_site
    missing = [
        p.rel
        for p in docsite.pages()
        if not re.search(
            r'<meta name="description" content="[^"]{20,}"',
            (site / p.url / "index.html").read_text(encoding="utf-8"),
        )
    ]
    assert not missing, f"pages without a description: {missing}"


def test_sitemap_lists_every_page(built_site):
    site, _ = built_site
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    missing = [p.url or "/" for p in docsite.pages() if f"/{p.url}</loc>" not in sitemap]
    assert not missing, f"pages missing from sitemap.xml: {missing}"


def test_pages_link_to_the_snippets_they_include(built_site):
    site, _ = built_site
    missing = [
        f"{p.rel}: no link to snippets/{inc.path}"
        for p in docsite.pages()
        for inc in p.includes
        if f"/blob/main/snippets/{inc.path}" not in (site / p.url / "index.html").read_text("utf-8")
    ]
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("lang", docsite.LANGS)
def test_pages_with_code_show_the_verified_versions(built_site, lang):
    low, high = docsite.verified_versions()["transformers"]
    site, _ = built_site
    for p in docsite.pages():
        if p.lang != lang or not p.includes:
            continue
        html = (site / p.url / "index.html").read_text(encoding="utf-8")
        line = re.search(r'<p class="verified-versions">(.*?)</p>', html, re.S)
        assert line, f"{p.rel}: no verified-versions line"
        assert f"{low}" in line[1] and f"{high}" in line[1], line[1]
