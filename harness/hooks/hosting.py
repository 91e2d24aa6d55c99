"""MkDocs hook: the built site as a static host serves it, and as search engines read it.

- Every page's footer names the commit it was built from and when its tests passed.
- The notebooks are served with the site, at /notebooks/.
- A copy of the sitemap beside every page (Material's language switcher fetches one there).
- hreflang alternates as absolute URLs, with an x-default.
- One 404 page per language.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urljoin

from harness.site.paths import NOTEBOOKS, ROOT


def on_config(config):
    """The commit the site is built from and the date its tests passed (footer, every page).

    The publishing workflow sets DOCS_COMMIT and DOCS_VERIFIED from the CI run that passed on the
    commit; a local build shows its checkout's commit and says it is not verified."""
    commit = os.environ.get("DOCS_COMMIT")
    if not commit:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        commit = done.stdout.strip() or "unknown"
    config.extra["build"] = {"commit": commit, "verified": os.environ.get("DOCS_VERIFIED", "")}
    return config


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
