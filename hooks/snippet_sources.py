"""MkDocs hook: end every page with links to the snippets/ files its code blocks include.

Readers can open the exact file the test suite runs; maintainers see where to edit the code.
"""

from __future__ import annotations

import re

INCLUDE = re.compile(r'^\s*--8<--\s+"(?P<path>[^":]+)(?::[^"]*)?"\s*$', re.M)
TITLE = {"en": "Code on this page", "zh": "本页代码"}
INTRO = {
    "en": "Every block above is included from these files, which the test suite runs:",
    "zh": "上文每个代码块都引用自下列文件，测试套件会运行它们：",
}


def on_page_markdown(markdown: str, page, config, files) -> str:
    paths = list(dict.fromkeys(m["path"] for m in INCLUDE.finditer(markdown)))
    if not paths or not config.repo_url:
        return markdown
    lang = "zh" if page.file.src_uri.endswith(".zh.md") else "en"
    base = config.repo_url.rstrip("/") + "/blob/main/snippets/"
    links = "\n".join(f"- [`snippets/{p}`]({base}{p})" for p in paths)
    return (
        f'{markdown}\n\n??? info "{TITLE[lang]}"\n\n    {INTRO[lang]}\n\n'
        + "\n".join("    " + line for line in links.splitlines())
        + "\n"
    )
