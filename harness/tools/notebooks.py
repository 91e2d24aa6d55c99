"""Write one notebook per page and language from the pages' snippets and annotation text.

    python -m harness.tools.notebooks          # rewrite notebooks/*.ipynb
    python -m harness.tools.notebooks --check  # exit 1 if a committed notebook is out of date

The notebooks are generated: edit the pages and snippets, never the .ipynb files. Which snippets
a notebook shows without running, and why, comes from snippets/snippets.toml.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

from harness.site.pages import LANGS, SITE, Block, Page
from harness.site.paths import NOTEBOOK_FORMAT, NOTEBOOK_GPU, NOTEBOOKS

# Why a snippet that talks to the chat server is not run in a notebook.
SERVER_REASON = {
    "en": "Not run here: needs a running OpenAI-compatible server (see above).",
    "zh": "此处不运行：需要先启动兼容 OpenAI 接口的服务（见上文）。",
}
HEADER = {
    "en": "Generated from `{page}` by `nox -s notebooks`: edit the page, not this notebook.",
    "zh": "由 `nox -s notebooks` 根据 `{page}` 生成：请修改页面，而不是这个 notebook。",
}


def not_run_reason(path: str, lang: str) -> str | None:
    entry = SITE.manifest[path]
    if entry.notebook:
        return entry.notebook[lang]
    return SERVER_REASON[lang] if entry.server else None


def installs(block: Block) -> bool:
    """A block that only installs packages with pip, for every tier: a notebook runs it."""
    lines = [ln for ln in block.code.splitlines() if ln.strip()]
    path = block.includes[0].path
    return (
        block.lang == "bash"
        and SITE.manifest[path].tier == "any"
        and all(ln.startswith("pip install ") for ln in lines)
    )


def notebook(page: Page) -> nbformat.NotebookNode:
    header = HEADER[page.lang].format(page=page.rel)
    gpu = NOTEBOOK_GPU[NOTEBOOK_FORMAT[page.name]][page.lang]
    cells = [nbformat.v4.new_markdown_cell(f"{header}\n\n{gpu}")]
    events = [(h[0], "heading", h) for h in page.headings]
    events += [(b.line, "block", b) for b in page.blocks]
    for _, kind, item in sorted(events, key=lambda e: e[0]):
        if kind == "heading":
            _, level, title, _ = item
            cells.append(nbformat.v4.new_markdown_cell(f"{'#' * level} {title}"))
            continue
        block: Block = item
        if block.is_output:
            continue
        code = block.code.rstrip("\n")
        reason = not_run_reason(block.includes[0].path, page.lang)
        if block.lang == "python" and reason is None:
            cells.append(nbformat.v4.new_code_cell(code))
        elif installs(block):
            # The page's install line, run in the notebook's own Python (IPython's %pip).
            cells.append(nbformat.v4.new_code_cell(code.replace("pip install", "%pip install")))
        else:
            note = "" if block.lang != "python" else f"{reason}\n\n"
            cells.append(nbformat.v4.new_markdown_cell(f"{note}```{block.lang}\n{code}\n```"))
        if block.annotations:
            items = "\n".join(f"{n}. {text}" for n, text in enumerate(block.annotations, 1))
            cells.append(nbformat.v4.new_markdown_cell(items))
    for n, cell in enumerate(cells):
        cell["id"] = f"cell-{n}"
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def notebook_pages() -> list[str]:
    """The pages with Python code that a notebook runs: each gets a notebook per language, but
    a page whose code all shows on another page too (the home page's is the quickstart's): that
    page's notebook runs it."""

    def runs(block: Block) -> bool:
        return block.lang == "python" and not_run_reason(block.includes[0].path, "en") is None

    code = {
        n: {i.path for b in SITE.page(n, "en").blocks if runs(b) for i in b.includes}
        for n in SITE.page_names
    }
    return [n for n in SITE.page_names if code[n] and not any(code[n] < c for c in code.values())]


def rendered() -> dict[Path, str]:
    out = {}
    for name in notebook_pages():
        for lang in LANGS:
            text = nbformat.writes(notebook(SITE.page(name, lang)))
            out[NOTEBOOKS / f"{name}.{lang}.ipynb"] = re.sub(r"[ \t]+\n", "\n", text) + "\n"
    return out


def main() -> int:
    stale = []
    for path, text in rendered().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path.name)
        if "--check" not in sys.argv:
            path.write_text(text, encoding="utf-8")
    if stale and "--check" in sys.argv:
        print("out of date: " + ", ".join(stale) + " (run nox -s notebooks)")
        return 1
    print(("rewrote " + ", ".join(stale)) if stale else "notebooks are up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
