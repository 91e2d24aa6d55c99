"""MkDocs hook: the llama.cpp page's measured speeds, from verified/llamacpp-speed.json (written
by `nox -s bench -- --llamacpp`, harness/tools/llamabench.py), in place of its marker. Without a
record the page says that nothing was measured; a marker left on another page stops the build."""

from __future__ import annotations

import json

from mkdocs.exceptions import PluginError

from harness.site.pages import lang_of
from harness.site.paths import ROOT

MARKER = "<!-- llamacpp-speed -->"
RECORD = ROOT / "verified" / "llamacpp-speed.json"
TEXT = {
    "en": {
        "none": "*Not measured yet: run `nox -s bench -- --llamacpp` to record it.*",
        "intro": "Measured on {date} on {cpu} ({threads} threads of {cores} cores) with "
        "`{command}`, llama.cpp from {llama_cpp}, at this site's commit `{commit}`:",
        "head": "| Type | File | Prompt (tokens/s) | Generation (tokens/s) |\n"
        "| --- | --- | --- | --- |",
    },
    "zh": {
        "none": "*尚未测量：运行 `nox -s bench -- --llamacpp` 记录结果。*",
        "intro": "{date} 在 {cpu}（{cores} 个核心中的 {threads} 个线程）上用 `{command}` 测得，"
        "llama.cpp 来自 {llama_cpp}，本站提交为 `{commit}`：",
        "head": "| 类型 | 文件 | 处理提示词（token/秒） | 生成（token/秒） |\n"
        "| --- | --- | --- | --- |",
    },
}


def table(lang: str) -> str:
    t = TEXT[lang]
    if not RECORD.exists():
        return t["none"]
    record = json.loads(RECORD.read_text(encoding="utf-8"))
    runs = record["runs"]
    threads = next(iter(runs.values()))["threads"]
    rows = [
        f"| `{ftype.lower()}` | {r['size_gb']:.1f} GB | {r['prompt_tps']:.1f} | "
        f"{r['generation_tps']:.1f} |"
        for ftype, r in runs.items()
    ]
    return "\n".join([t["intro"].format(threads=threads, **record), "", t["head"], *rows])


def on_page_markdown(markdown, page, config, files):
    if MARKER not in markdown:
        return markdown
    if not page.file.src_uri.startswith("llamacpp."):
        raise PluginError(f"docs/{page.file.src_uri}: {MARKER} belongs on the llama.cpp page")
    return markdown.replace(MARKER, table(lang_of(page.file.src_uri)))
