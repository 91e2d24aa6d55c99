"""Write one notebook per page and language from the pages' snippets and annotation text.

    python notebooks/generate.py          # rewrite notebooks/*.ipynb
    python notebooks/generate.py --check  # exit 1 if a committed notebook is out of date

The notebooks are generated: edit the pages and snippets, never the .ipynb files.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import docsite  # noqa: E402

PAGES = ["quickstart", "chat"]
# Python snippets a notebook shows but does not run, and why (in the page's language).
NOT_RUN = {
    "transformers/flash_attention.py": {
        "en": "Not run here: needs an NVIDIA GPU and the flash-attn package.",
        "zh": "此处不运行：需要 NVIDIA GPU 和 flash-attn 包。",
    },
    "transformers/modelscope_import.py": {
        "en": "Not run here: it replaces the first line of the example above.",
        "zh": "此处不运行：它用来替换上面示例的第一行。",
    },
    "transformers/load_before_4_56.py": {
        "en": "Not run here: only for transformers older than 4.56.",
        "zh": "此处不运行：仅适用于 4.56 之前的 transformers。",
    },
    "transformers/async_streamer.py": {
        "en": "Not run here: Jupyter already runs an event loop; use `await stream_reply()`.",
        "zh": "此处不运行：Jupyter 中已有事件循环在运行，请改用 `await stream_reply()`。",
    },
    "vllm/": {
        "en": "Not run here: needs a running vLLM server (see above).",
        "zh": "此处不运行：需要先启动 vLLM 服务（见上文）。",
    },
}
HEADER = {
    "en": "Generated from `{page}` by `notebooks/generate.py`: edit the page, not this notebook.",
    "zh": "由 `notebooks/generate.py` 根据 `{page}` 生成：请修改页面，而不是这个 notebook。",
}


def not_run_reason(path: str, lang: str) -> str | None:
    for prefix, reason in NOT_RUN.items():
        if path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
            return reason[lang]
    return None


def build(page: docsite.Page) -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_markdown_cell(HEADER[page.lang].format(page=page.rel))]
    events = [(h[0], "heading", h) for h in page.headings]
    events += [(b.line, "block", b) for b in page.blocks]
    for _, kind, item in sorted(events, key=lambda e: e[0]):
        if kind == "heading":
            _, level, title, _ = item
            cells.append(nbformat.v4.new_markdown_cell(f"{'#' * level} {title}"))
            continue
        block: docsite.Block = item
        if block.is_output:
            continue
        code = block.code.rstrip("\n")
        reason = not_run_reason(block.includes[0].path, page.lang)
        if block.lang == "python" and reason is None:
            cells.append(nbformat.v4.new_code_cell(code))
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


def rendered() -> dict[Path, str]:
    out = {}
    for name in PAGES:
        for lang in docsite.LANGS:
            text = nbformat.writes(build(docsite.page(name, lang)))
            out[HERE / f"{name}.{lang}.ipynb"] = re.sub(r"[ \t]+\n", "\n", text) + "\n"
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
        print("out of date: " + ", ".join(stale) + " (run python notebooks/generate.py)")
        return 1
    print(("rewrote " + ", ".join(stale)) if stale else "notebooks are up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
