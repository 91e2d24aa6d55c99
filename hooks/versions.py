"""MkDocs hook: show the verified versions (pyproject.toml, [tool.qwen2-guide.verified]).

Every page with code gets a line under its title; a page may place the full table with
<!-- verified-versions-table -->.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
TABLE_MARKER = "<!-- verified-versions-table -->"
LINE = {
    "en": ":material-check-decagram: The code on this page is tested with {versions}.",
    "zh": ":material-check-decagram: 本页代码已在 {versions} 下测试。",
}
RANGE = {"en": "{0} to {1}", "zh": "{0} 至 {1}"}
AND = {"en": ", ", "zh": "、"}
HEAD = {
    "en": "| Package | Lowest verified | Newest verified |\n| --- | --- | --- |",
    "zh": "| 软件包 | 最低验证版本 | 最新验证版本 |\n| --- | --- | --- |",
}


def verified() -> dict[str, list[str]]:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["qwen2-guide"]["verified"]


def describe(lang: str) -> str:
    parts = []
    for name, (low, high) in verified().items():
        span = low if low == high else RANGE[lang].format(low, high)
        parts.append(f"`{name}` {span}")
    return AND[lang].join(parts)


def table(lang: str) -> str:
    rows = [f"| `{n}` | {low} | {high} |" for n, (low, high) in verified().items()]
    return HEAD[lang] + "\n" + "\n".join(rows)


def on_page_markdown(markdown: str, page, config, files) -> str:
    lang = "zh" if page.file.src_uri.endswith(".zh.md") else "en"
    markdown = markdown.replace(TABLE_MARKER, table(lang))
    if "--8<--" not in markdown:
        return markdown
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("# "):
            note = LINE[lang].format(versions=describe(lang))
            lines[i + 1 : i + 1] = ["", note + "\n{: .verified-versions }"]
            break
    return "\n".join(lines)
