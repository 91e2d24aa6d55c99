"""MkDocs hooks: what every page gets from the harness (harness/site.py, snippets/snippets.toml).

- A broken include stops the build with one line naming the page, the line and the closest
  existing snippet, before pymdownx.snippets would fail with a traceback that names no page.
- Pages with code show the verified versions (pyproject.toml [tool.qwen2-guide.verified]) under
  their title; a page may place the full table with <!-- verified-versions-table -->.
- A block whose snippet continues another (snippets.toml `continues`) is labelled, in the page's
  language, with a link to the block it continues; that block gets the anchor.
- Every page ends with links to the snippets/ files its code blocks include.
- Every page's footer names the commit it was built from and when its tests passed.
- A page with a notebook links it under the title (served at /notebooks/) and to Colab.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urljoin

from mkdocs.exceptions import PluginError

from harness import manifest
from harness.site import FENCE, INCLUDE, SITE, lang_of, missing_include_message

TABLE_MARKER = "<!-- verified-versions-table -->"
TEXT = {
    "en": {
        "line": ":material-check-decagram: The code on this page is tested with {versions}.",
        "range": "{0} to {1}",
        "and": ", ",
        "head": "| Package | Lowest verified | Newest verified |\n| --- | --- | --- |",
        "sources": "Code on this page",
        "sources_intro": "Every block above is included from these files, which the test suite "
        "runs:",
        "continues": ":material-arrow-up-bold: Continues [the code in “{title}”]({href}): run "
        "that first, in the same Python session.",
        "replaces": ":material-swap-horizontal: Replaces a line of "
        "[the code in “{title}”]({href}).",
        "notebook": 'This page as a notebook: <a href="{href}" download>download</a> or '
        '<a href="{colab}">open in Colab</a> (with a GPU runtime).',
    },
    "zh": {
        "line": ":material-check-decagram: 本页代码已在 {versions} 下测试。",
        "range": "{0} 至 {1}",
        "and": "、",
        "head": "| 软件包 | 最低验证版本 | 最新验证版本 |\n| --- | --- | --- |",
        "sources": "本页代码",
        "sources_intro": "上文每个代码块都引用自下列文件，测试套件会运行它们：",
        "continues": ":material-arrow-up-bold: 接着[“{title}”中的代码]({href})运行："
        "请先在同一个 Python 会话中运行那段代码。",
        "replaces": ":material-swap-horizontal: 用来替换[“{title}”中的代码]({href})里的一行。",
        "notebook": '本页的 notebook 版本：<a href="{href}" download>下载</a>，或'
        '<a href="{colab}">在 Colab 中打开</a>（请选择 GPU 运行时）。',
    },
}


def includes(markdown: str) -> list[tuple[int, str]]:
    """(line, snippet) for every include line of a page's Markdown."""
    return [
        (n, m["path"])
        for n, line in enumerate(markdown.split("\n"), 1)
        if (m := INCLUDE.match(line))
    ]


def check_includes(markdown: str, page) -> None:
    # MkDocs strips the front matter before this hook: count its lines back in.
    source = (SITE.docs / page.file.src_uri).read_text(encoding="utf-8")
    offset = source.count("\n") - markdown.count("\n") if source.startswith("---") else 0
    for line, path in includes(markdown):
        if not (SITE.snippets / path).is_file():
            raise PluginError(
                missing_include_message(SITE, f"docs/{page.file.src_uri}", line + offset, path)
            )


def versions_line(lang: str) -> str:
    t = TEXT[lang]
    parts = [
        f"`{name}` {low if low == high else t['range'].format(low, high)}"
        for name, (low, high) in SITE.verified_versions.items()
    ]
    return t["line"].format(versions=t["and"].join(parts))


def versions_table(lang: str) -> str:
    rows = [f"| `{n}` | {low} | {high} |" for n, (low, high) in SITE.verified_versions.items()]
    return TEXT[lang]["head"] + "\n" + "\n".join(rows)


def add_versions(markdown: str, lang: str) -> str:
    markdown = markdown.replace(TABLE_MARKER, versions_table(lang))
    if not includes(markdown):
        return markdown
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("# "):
            lines[i + 1 : i + 1] = ["", versions_line(lang) + "\n{: .verified-versions }"]
            break
    return "\n".join(lines)


def add_sources(markdown: str, lang: str, repo_url: str | None) -> str:
    paths = list(dict.fromkeys(path for _, path in includes(markdown)))
    if not paths or not repo_url:
        return markdown
    base = repo_url.rstrip("/") + "/blob/main/snippets/"
    links = "\n".join(f"    - [`snippets/{p}`]({base}{p})" for p in paths)
    t = TEXT[lang]
    return f'{markdown}\n\n??? info "{t["sources"]}"\n\n    {t["sources_intro"]}\n\n{links}\n'


def block_anchor(snippet: str) -> str:
    return "code-" + re.sub(r"[^a-z0-9]+", "-", snippet.rsplit(".", 1)[0].lower())


def block_home(snippet: str, name: str, lang: str) -> tuple[str, str]:
    """(href, section title) of the first block that includes ``snippet``: on page ``name`` if it
    has one, else on another page in the same language."""
    pages = sorted(SITE.pages, key=lambda p: p.name != name)
    for p in pages:
        if p.lang != lang:
            continue
        for block in p.blocks:
            if any(i.path == snippet for i in block.includes):
                title = [t for line, _, t, _ in p.headings if line < block.line][-1]
                page_file = "" if p.name == name else p.path.name
                return f"{page_file}#{block_anchor(snippet)}", title
    raise PluginError(f"no {lang} page includes snippets/{snippet}, which others continue")


def add_continuation_labels(markdown: str, name: str, lang: str) -> str:
    entries = manifest.manifest()
    continued = {e.continues for e in entries.values() if e.continues}
    lines, anchored = markdown.split("\n"), set()
    inserts: list[tuple[int, list[str]]] = []
    for i, line in enumerate(lines):
        m = INCLUDE.match(line)
        if not m or m["path"] not in entries:
            continue
        fence = next(k for k in range(i - 1, -1, -1) if FENCE.match(lines[k]))
        indent = FENCE.match(lines[fence])["indent"]
        snippet, new = m["path"], []
        if snippet in continued and snippet not in anchored:
            anchored.add(snippet)
            new += [f'{indent}<a id="{block_anchor(snippet)}"></a>', ""]
        entry = entries[snippet]
        if entry.continues:
            href, title = block_home(entry.continues, name, lang)
            text = TEXT[lang]["replaces" if entry.replaces else "continues"]
            new += [indent + text.format(title=title, href=href), indent + "{: .continues }", ""]
        if new:
            inserts.append((fence, new))
    for at, new in reversed(inserts):
        lines[at:at] = new
    return "\n".join(lines)


def on_config(config):
    """The commit the site is built from and the date its tests passed (footer, every page).

    The publishing workflow sets DOCS_COMMIT and DOCS_VERIFIED from the CI run that passed on the
    commit; a local build shows its checkout's commit and says it is not verified."""
    commit = os.environ.get("DOCS_COMMIT")
    if not commit:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=SITE.root, capture_output=True, text=True
        )
        commit = done.stdout.strip() or "unknown"
    config.extra["build"] = {"commit": commit, "verified": os.environ.get("DOCS_VERIFIED", "")}
    return config


NOTEBOOKS = SITE.root / "notebooks"


def notebook_links(markdown: str, name: str, lang: str, url: str, repo_url: str | None) -> str:
    """A line under the title linking the page's notebook (served with the site) and Colab."""
    notebook = NOTEBOOKS / f"{name}.{lang}.ipynb"
    if not notebook.is_file() or not repo_url:
        return markdown
    up = "../" * url.count("/")
    href = f"{up}notebooks/{notebook.name}"
    repo = repo_url.rstrip("/").removeprefix("https://github.com/")
    colab = f"https://colab.research.google.com/github/{repo}/blob/main/notebooks/{notebook.name}"
    line = TEXT[lang]["notebook"].format(href=href, colab=colab)
    lines = markdown.split("\n")
    at = next(i for i, ln in enumerate(lines) if ln.startswith("# ")) + 1
    # Raw <a> tags: MkDocs would check a Markdown link against docs/, where notebooks are not.
    lines[at:at] = ["", f":material-notebook: {line}", "{: .notebook-links }"]
    return "\n".join(lines)


def on_post_build(config):
    """Serve the notebooks with the site, at /notebooks/; put the sitemap beside every page."""
    site = Path(config.site_dir)
    dest = site / "notebooks"
    dest.mkdir(parents=True, exist_ok=True)
    for notebook in NOTEBOOKS.glob("*.ipynb"):
        shutil.copyfile(notebook, dest / notebook.name)
    # Material's JavaScript fetches sitemap.xml next to every <link rel="alternate"> to map a page
    # to its translation. mkdocs-static-i18n points those links at the translated page, not at
    # the language's root, so without a copy there each page logs two 404s in the console.
    sitemap = site / "sitemap.xml"
    if sitemap.exists():
        for index in site.rglob("index.html"):
            if index.parent != site and not (index.parent / "sitemap.xml").exists():
                shutil.copyfile(sitemap, index.parent / "sitemap.xml")


ALTERNATE = re.compile(r'<link rel="alternate" href="([^"]*)" hreflang="([^"]*)">')


def on_post_page(output: str, page, config) -> str:
    """hreflang alternates as absolute URLs, plus an x-default (English), as search engines want
    them; Material writes them relative to the page."""
    links = ALTERNATE.findall(output)
    if not links or not page.canonical_url:
        return output
    absolute = {lang: urljoin(page.canonical_url, href) for href, lang in links}
    absolute["x-default"] = absolute["en"]
    tags = [f'<link rel="alternate" href="{u}" hreflang="{lang}">' for lang, u in absolute.items()]
    first = ALTERNATE.search(output)
    output = ALTERNATE.sub("", output)
    return output[: first.start()] + "\n".join(tags) + output[first.start() :]


NOT_FOUND: dict[str, str] = {}  # the English 404, kept for the root while later languages build


def on_post_template(output: str, template_name: str, config) -> str:
    """One 404 page per language: /404.html in English (static hosts serve it for every missing
    address, and it sends /zh/ addresses on to the Chinese one) and /zh/404.html. Each language's
    build renders 404.html into the site root; the last one would win."""
    if template_name != "404.html":
        return output
    lang = config.theme["language"]
    if lang == "en":
        NOT_FOUND["en"] = output
        return output
    folder = Path(config.site_dir) / lang
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "404.html").write_text(output, encoding="utf-8")
    return NOT_FOUND.get("en", output)


def on_page_markdown(markdown: str, page, config, files) -> str:
    check_includes(markdown, page)
    lang = lang_of(page.file.src_uri)
    name = page.file.src_uri[: -len(".zh.md" if lang == "zh" else ".md")]
    markdown = add_continuation_labels(markdown, name, lang)
    markdown = notebook_links(markdown, name, lang, page.url, config.repo_url)
    markdown = add_versions(markdown, lang)
    return add_sources(markdown, lang, config.repo_url)
