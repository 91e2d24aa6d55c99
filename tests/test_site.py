"""The built site: a clean strict build with every page in both languages, and nothing remote."""

from __future__ import annotations

import html as html_lib
import json
import re
from html.parser import HTMLParser

import pytest

from harness.site import manifest
from harness.site.markdown import CJK
from harness.site.pages import LANGS, SITE

pytestmark = pytest.mark.timeout(300)
PAGES = SITE.pages


def test_strict_build_is_clean(built_site):
    log = built_site.log
    warnings = [line for line in log.splitlines() if re.match(r"^(WARNING|ERROR)\b", line)]
    assert not warnings, "\n".join(warnings)


def html_of(built_site, page) -> str:
    site = built_site.folder
    path = site / page.url / "index.html"
    assert path.is_file(), f"{page.rel} is not in the built site at /{page.url}"
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.rel)
def test_page_is_built_in_its_language(built_site, page):
    assert f'<html lang="{page.lang}"' in html_of(built_site, page)


REMOTE = re.compile(
    r"<(?:script|img|iframe|source|audio|video)\b[^>]*\bsrc=\"(https?:)?//|"
    r"<link\b[^>]*\brel=\"(?:stylesheet|preload|preconnect|icon|manifest)\"[^>]*\bhref=\"(https?:)?//"
)


def test_no_page_loads_remote_assets(built_site):
    site = built_site.folder
    bad = [
        f"{page.relative_to(site)}: {m.group(0)}"
        for page in site.rglob("*.html")
        for m in REMOTE.finditer(page.read_text(encoding="utf-8"))
    ]
    assert not bad, "pages load assets from other hosts:\n" + "\n".join(bad)


def test_search_index_holds_segmented_chinese(built_site):
    site = built_site.folder
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    separator = index["config"]["separator"]
    assert "\\u200b" in separator or "\u200b" in separator, separator
    zh_chat = [d for d in index["docs"] if d["location"].startswith("zh/chat/")]
    assert zh_chat, "the Chinese chat page is not in the search index"
    assert any("\u200b" in d["text"] for d in zh_chat), "Chinese text was not segmented (jieba)"


def test_each_language_has_its_404_page(built_site):
    """/404.html in English, which sends /zh/ addresses on (tests/test_browser.py follows it),
    and /zh/404.html in Chinese."""
    site = built_site.folder
    en = (site / "404.html").read_text(encoding="utf-8")
    zh = (site / "zh" / "404.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in en and "This page does not exist" in en and "页面不存在" not in en
    assert '<html lang="zh"' in zh and "页面不存在" in zh and "This page does not" not in zh


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.rel)
def test_page_has_its_own_description_for_link_previews(built_site, page):
    """Its front matter's description, not the site-wide one Material falls back to."""
    import html

    found = re.search(r'<meta name="description" content="([^"]*)"', html_of(built_site, page))
    assert found, f"{page.rel}: no description meta tag"
    assert html.unescape(found[1]) == page.front_matter.get("description"), (
        f"{page.rel}: the page shows {found[1]!r}, not the description in its front matter"
    )


def test_sitemap_lists_every_page(built_site):
    site = built_site.folder
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    missing = [p.url or "/" for p in PAGES if f"/{p.url}</loc>" not in sitemap]
    assert not missing, f"pages missing from sitemap.xml: {missing}"


def test_pages_link_to_the_snippets_they_include(built_site):
    site = built_site.folder
    missing = [
        f"{p.rel}: no link to snippets/{inc.path}"
        for p in PAGES
        for inc in p.includes
        if f"/blob/main/snippets/{inc.path}" not in (site / p.url / "index.html").read_text("utf-8")
    ]
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("lang", LANGS)
def test_pages_with_code_show_the_verified_versions(built_site, lang):
    low, high = SITE.verified_versions["transformers"]
    site = built_site.folder
    for p in PAGES:
        if p.lang != lang or not p.includes:
            continue
        html = (site / p.url / "index.html").read_text(encoding="utf-8")
        line = re.search(r'<p class="verified-versions">(.*?)</p>', html, re.S)
        assert line, f"{p.rel}: no verified-versions line"
        assert f"{low}" in line[1] and f"{high}" in line[1], line[1]


NOT_YET = {"en": "GPU only · not yet run", "zh": "需 GPU·尚未实测"}
LAST_RUN = {"en": "GPU · passed {date}", "zh": "GPU·{date} 通过"}


def markers(html: str, cls: str) -> list[tuple[str, str]]:
    """(text, hover title) of each marker of a class (gpu-run, not-run) on a built page."""
    found = re.findall(rf'<p class="{cls}">(.*?)</p>', html, re.S)
    titles = [re.search(r'title="([^"]*)"', m) for m in found]
    return [
        (re.sub(r"<[^>]+>", "", m).strip(), html_lib.unescape(t[1]) if t else "")
        for m, t in zip(found, titles, strict=True)
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.rel)
def test_gpu_blocks_say_what_the_gpu_record_holds(built_site, page):
    """Every block that only a GPU run can show working carries the last GPU run's word on it,
    a few words with the details on hover, linking to the testing page; no page claims a GPU run
    that verified/gpu.json does not hold: without a record, every such block says it has not
    yet run on a GPU."""
    needs = [
        block
        for block in page.blocks
        if any(manifest.needs_gpu(SITE.manifest, i.path) for i in block.includes)
    ]
    html = html_of(built_site, page)
    labels = markers(html, "gpu-run")
    assert len(labels) == len(needs), f"{page.rel}: {len(labels)} labels, {len(needs)} GPU blocks"
    assert html.count('<p class="gpu-run">') == html.count('testing/#gpu" title='), page.rel
    record = SITE.gpu_record
    for (label, title), block in zip(labels, needs, strict=True):
        paths = [i.path for i in block.includes if manifest.needs_gpu(SITE.manifest, i.path)]
        owners = [manifest.snippet_of(SITE.manifest, p) for p in paths]
        results = [record.result(p) for p in owners] if record else [None]
        if all(r and r.result == "passed" for r in results) and record.gpu:
            assert LAST_RUN[page.lang].format(date=record.date) in label, (block.where(), label)
            assert record.gpu["name"] in title, (block.where(), title)
        elif record:
            assert LAST_RUN[page.lang].format(date=record.date) not in label, (block.where(), label)
        if record is None:
            assert label.endswith(NOT_YET[page.lang]), (block.where(), label)
            assert "NVIDIA GPU" in title, (block.where(), title)


@pytest.mark.parametrize("page", [p for p in PAGES if p.includes], ids=lambda p: p.rel)
def test_blocks_nothing_runs_say_so(built_site, page):
    """Each block whose snippet nothing here can run (snippets.toml `not_run`) carries that
    entry's reason in the page's language, and no other block carries such a label."""
    entries = SITE.manifest
    reasons = [
        entries[i.path].unrun(page.lang)
        for b in page.blocks
        for i in b.includes[:1]
        if i.path in entries and entries[i.path].not_run
    ]
    labels = markers(html_of(built_site, page), "not-run")
    assert len(labels) == len(reasons), f"{page.rel}: {len(labels)} labels, {len(reasons)} blocks"
    for (_, title), why in zip(labels, reasons, strict=True):
        assert title == " ".join(why.split()).replace('"', "'"), (page.rel, title)


@pytest.mark.parametrize("page", [p for p in PAGES if p.includes], ids=lambda p: p.rel)
def test_continued_blocks_link_to_what_they_continue(built_site, page):
    """One label per block whose snippet continues another (snippets.toml), linking to an anchor
    that exists on the target page."""
    site = built_site.folder
    entries = SITE.manifest
    expected = sum(1 for i in page.includes if i.path in entries and entries[i.path].continues)
    html = html_of(built_site, page)
    labels = re.findall(r'<p class="continues">.*?<a href="([^"]*)"', html, re.S)
    assert len(labels) == expected, f"{page.rel}: {len(labels)} labels, {expected} continued blocks"
    for href in labels:
        path, _, anchor = href.partition("#")
        target = (site / page.url / path / "index.html") if path else None
        target_html = target.read_text(encoding="utf-8") if target else html
        assert f'id="{anchor}"' in target_html, f"{page.rel}: label links to missing #{anchor}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.rel)
def test_footer_names_the_commit_and_its_verification(built_site, page):
    import subprocess

    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=SITE.root, capture_output=True, text=True
    ).stdout.strip()
    html = html_of(built_site, page)
    found = re.search(r'<div class="build-info" data-commit="([^"]*)">(.*?)</div>', html, re.S)
    assert found, f"{page.rel}: no build line in the footer"
    assert found[1] == head, f"{page.rel}: built from {found[1]}, the checkout is at {head}"
    text = " ".join(found[2].split())
    expected = {"en": "a local build, not verified by CI", "zh": "本地构建，未经 CI 验证"}[
        page.lang
    ]
    assert expected in text and head[:7] in text, text


@pytest.mark.parametrize("page", [p for p in PAGES if p.includes], ids=lambda p: p.rel)
def test_page_offers_its_notebook(built_site, page):
    """Served with the site, the same file as notebooks/, and on Colab from the repository; a
    page with no Python for a notebook to run (llama.cpp's) offers none."""
    from harness.site.paths import NOTEBOOKS
    from harness.tools.notebooks import notebook_pages

    site = built_site.folder
    html = html_of(built_site, page)
    name = f"{page.name}.{page.lang}.ipynb"
    hrefs = re.findall(r'<p class="notebook-links">.*?</p>', html, re.S)
    if page.name not in notebook_pages():
        assert not hrefs and not (NOTEBOOKS / name).exists(), f"{page.rel}: a notebook to run?"
        return
    assert hrefs, f"{page.rel}: no notebook links"
    download = re.search(r'href="([^"]*)" download', hrefs[0])[1]
    served = (site / page.url / download).resolve()
    assert served.read_bytes() == (NOTEBOOKS / name).read_bytes(), f"{page.rel}: {download}"
    repo_url = re.search(r"^repo_url: (\S+)", (SITE.root / "mkdocs.yml").read_text(), re.M)[1]
    repo = repo_url.removeprefix("https://github.com/")
    assert f"colab.research.google.com/github/{repo}/blob/main/notebooks/{name}" in hrefs[0]


def meta(html: str, key: str) -> str | None:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', html)
    return found and found[1]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.rel)
def test_shared_links_show_the_pages_title_and_description(built_site, page):
    """Open Graph and Twitter card tags in the page's language: its title, its description
    (front matter), its absolute address."""
    import html as html_lib

    text = html_of(built_site, page)
    base = built_site.url
    site_name = {"en": "Qwen2 Local Guide", "zh": "Qwen2 本地运行指南"}[page.lang]
    title = site_name if page.name == "index" else page.title
    expected = {
        "og:type": "website",
        "og:site_name": site_name,
        "og:title": title,
        "og:description": page.front_matter["description"],
        "og:url": base + page.url,
        "og:locale": {"en": "en_US", "zh": "zh_CN"}[page.lang],
        "twitter:card": "summary",
        "twitter:title": title,
        "twitter:description": page.front_matter["description"],
    }
    got = {k: html_lib.unescape(meta(text, k) or "") for k in expected}
    assert got == expected, f"{page.rel}: {got}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.rel)
def test_hreflang_alternates_are_absolute_with_a_default(built_site, page):
    text = html_of(built_site, page)
    base = built_site.url
    links = dict(
        (lang, href)
        for href, lang in re.findall(
            r'<link rel="alternate" href="([^"]*)" hreflang="([^"]*)">', text
        )
    )
    other = {"en": "zh", "zh": "en"}[page.lang]
    twin = SITE.page(page.name, other)
    expected = {page.lang: base + page.url, other: base + twin.url}
    assert links == {**expected, "x-default": expected["en"]}, f"{page.rel}: {links}"


class ArticleText(HTMLParser):
    """A page's <article> text as a browser lays it out: inline tags are transparent, any other
    tag ends a run of text (NUL), and <pre>, <code>, <script>, <style>, <textarea> are left out."""

    INLINE = {"a", "abbr", "b", "del", "em", "i", "ins", "kbd", "mark", "q", "s", "small", "span"}
    INLINE |= {"strong", "sub", "sup", "u"}
    RAW = {"pre", "code", "script", "style", "textarea"}

    def __init__(self, html: str):
        super().__init__()
        self.parts, self.article, self.raw = [], 0, 0
        self.feed(html)
        self.text = "".join(self.parts)

    def handle_starttag(self, tag, attrs):
        self.article += tag == "article"
        self.raw += tag in self.RAW
        self.parts.append("" if tag in self.INLINE else "\0")

    def handle_endtag(self, tag):
        self.article -= tag == "article"
        self.raw -= tag in self.RAW and self.raw > 0
        self.parts.append("" if tag in self.INLINE else "\0")

    def handle_data(self, data):
        if self.article and not self.raw:
            self.parts.append(data)


# Up to 8 characters either side of a line break between two Chinese characters.
SPACED = re.compile(rf"[^\0\n]{{0,8}}(?<=[{CJK}])[ \t]*\n\s*(?=[{CJK}])[^\0\n]{{0,8}}")


@pytest.mark.parametrize("page", [p for p in PAGES if p.lang == "zh"], ids=lambda p: p.rel)
def test_chinese_text_has_no_line_breaks_between_characters(built_site, page):
    """A browser renders such a break as a space (harness/hooks/chinese.py removes them)."""
    text = ArticleText(html_of(built_site, page)).text
    found = [re.sub(r"\s*\n\s*", "⏎", m.group(0)) for m in SPACED.finditer(text)]
    assert not found, f"{page.rel}: {len(found)} line breaks render as spaces: " + "; ".join(found)
