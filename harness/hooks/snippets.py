"""MkDocs hook: what every page gets from its parsed model (harness/site/pages.py) and
snippets/snippets.toml. Each addition is computed from the parsed page and inserted at the
page's own line numbers; nothing re-parses the Markdown.

- A broken include stops the build with one line naming the page, the line and the closest
  existing snippet, before pymdownx.snippets would fail with a traceback that names no page.
- Pages with code show the verified versions (pyproject.toml [tool.qwen2-guide.verified]) under
  their title; a page may place the full table with <!-- verified-versions-table -->.
- A block whose snippet continues another (snippets.toml `continues`) is labelled, in the page's
  language, with a link to the block it continues; that block gets the anchor.
- Every page ends with links to the snippets/ files its code blocks include.
- A page with a notebook links it under the title (served at /notebooks/) and to Colab.
"""

from __future__ import annotations

import re

from mkdocs.exceptions import PluginError

from harness.site import manifest
from harness.site.gpu_record import GpuRecord
from harness.site.pages import Page, Site, lang_of, missing_include_message, name_of
from harness.site.paths import NOTEBOOK_FORMAT, NOTEBOOK_GPU, NOTEBOOKS

TABLE_MARKER = "<!-- verified-versions-table -->"
GPU_MARKER = "<!-- gpu-record -->"
TEXT = {
    "en": {
        "line": ":material-check-decagram: Tested with {versions}. "
        "[How this site is tested](testing.md)",
        "range": "{0} to {1}",
        "and": ", ",
        "head": "| Package | Lowest verified | Newest verified |\n| --- | --- | --- |",
        "sources": "Code on this page",
        "sources_intro": "Every block above is included from one of these files.",
        "continues": ":material-arrow-up-bold: Continues [the code in “{title}”]({href}): run "
        "that first, in the same Python session.",
        "replaces": ":material-swap-horizontal: Replaces a line of "
        "[the code in “{title}”]({href}).",
        "notebook": 'This page as a notebook: <a href="{href}" download>download</a> or '
        '<a href="{colab}">open in Colab</a> (with a GPU runtime).',
        # Markers: a few words on the block, the details on hover and on the testing page.
        "not_run": ":material-help-circle-outline: "
        '[Not run by the tests](testing.md#not-run "{why}")',
        "gpu_none": ":material-expansion-card: [GPU only · not yet run](testing.md#gpu "
        '"This block needs an NVIDIA GPU. The tests that run on every change use a CPU.")',
        "gpu_passed": ":material-check-decagram: [GPU · passed {date}](testing.md#gpu "
        '"Last run on {gpu}, with {weights} (commit {commit}).")',
        "gpu_skipped": ":material-help-circle-outline: [GPU only · not yet run](testing.md#gpu "
        '"The last GPU run ({date}, {gpu}) skipped it: {reason}")',
        "gpu_failed": ":material-alert: [GPU · failed {date}](testing.md#gpu "
        '"The last GPU run ({date}, {gpu}) failed: {reason}")',
        "weights_real": "the real weights",
        "weights_stand-in": "a tiny stand-in of the model (random weights, the real tokenizer)",
        "gpu_versions_none": "No GPU run is recorded yet. So no version of `vllm` or `flash-attn` "
        "is verified here.",
        "gpu_versions": "The last GPU run ({date}, {gpu}, {weights}) used {versions}.",
        "parsed": "On every change, `vllm` {version} parses each `vllm serve` command on these "
        "pages. The suite checks what it reads: the options set, the tool-call parser named and "
        "the error quoted.",
    },
    "zh": {
        "line": ":material-check-decagram: 已在 {versions} 下测试。[本站如何测试](testing.md)",
        "range": "{0} 至 {1}",
        "and": "、",
        "head": "| 软件包 | 最低验证版本 | 最新验证版本 |\n| --- | --- | --- |",
        "sources": "本页代码",
        "sources_intro": "上文每个代码块都引用自下列文件之一。",
        "continues": ":material-arrow-up-bold: 接着[“{title}”中的代码]({href})运行："
        "请先在同一个 Python 会话中运行那段代码。",
        "replaces": ":material-swap-horizontal: 用来替换[“{title}”中的代码]({href})里的一行。",
        "notebook": '本页的 notebook 版本：<a href="{href}" download>下载</a>，或'
        '<a href="{colab}">在 Colab 中打开</a>（请选择 GPU 运行时）。',
        "not_run": ':material-help-circle-outline: [测试不运行](testing.md#not-run "{why}")',
        "gpu_none": ':material-expansion-card: [需 GPU·尚未实测](testing.md#gpu "'
        '这段代码需要 NVIDIA GPU。每次改动后运行的测试只用 CPU。")',
        "gpu_passed": ':material-check-decagram: [GPU·{date} 通过](testing.md#gpu "'
        '最近一次在 {gpu} 上运行，使用{weights}（提交 {commit}）。")',
        "gpu_skipped": ':material-help-circle-outline: [需 GPU·尚未实测](testing.md#gpu "'
        '最近一次 GPU 测试（{date}，{gpu}）跳过了它：{reason}")',
        "gpu_failed": ':material-alert: [GPU·{date} 未通过](testing.md#gpu "'
        '最近一次 GPU 测试（{date}，{gpu}）未通过：{reason}")',
        "weights_real": "真实权重",
        "weights_stand-in": "随机权重的小型替身（分词器与真实模型相同）",
        "gpu_versions_none": "目前还没有记录在案的 GPU 测试，因此本站尚未验证任何版本的 `vllm` "
        "或 `flash-attn`。",
        "gpu_versions": "最近一次 GPU 测试（{date}，{gpu}，{weights}）使用的是 {versions}。",
        "parsed": "每次改动后，`vllm` {version} 都会解析本站的每条 `vllm serve` 命令。"
        "测试套件核对它读出的内容：设置的选项、指定的工具调用解析器和页面引用的报错。",
    },
}


class Built:
    """The site as this build reads it: parsed again at the start of every build, so that
    `mkdocs serve` decorates what is on disk now."""

    site = Site()


def on_pre_build(config):
    Built.site = Site()


def parsed(markdown: str, src_uri: str) -> Page:
    """The parsed page for the Markdown MkDocs hands the hook, which must be the file's body."""
    page = Built.site.page(name_of(src_uri), lang_of(src_uri))
    if markdown.split("\n")[:1] != page.lines[page.body_start : page.body_start + 1]:
        raise PluginError(
            f"{page.rel}: the Markdown MkDocs gives the hook is not the file's body at line "
            f"{page.body_start + 1} (did a plugin change it before this hook?)"
        )
    return page


def check_includes(page: Page) -> None:
    for inc in page.includes:
        if not (page.site.snippets / inc.path).is_file():
            raise PluginError(missing_include_message(page.site, page.rel, inc.line, inc.path))


def versions_line(site: Site, lang: str) -> str:
    t = TEXT[lang]
    parts = [
        f"`{name}` {low if low == high else t['range'].format(low, high)}"
        for name, (low, high) in site.verified_versions.items()
    ]
    return t["line"].format(versions=t["and"].join(parts))


def versions_table(site: Site, lang: str) -> str:
    """The verified ranges, with the GPU-only packages' versions that the last GPU run proves."""
    rows = [f"| `{n}` | {low} | {high} |" for n, (low, high) in site.verified_versions.items()]
    rows += [f"| `{p}` | {v} | {v} |" for p, v in gpu_proved(site.gpu_record).items()]
    return TEXT[lang]["head"] + "\n" + "\n".join(rows)


def gpu_record(site: Site, lang: str) -> str:
    """What the last GPU run proves of the GPU-only packages, and which vLLM parses the commands."""
    cli = TEXT[lang]["parsed"].format(version=site.parsed_versions["vllm"])
    return gpu_versions(site, lang) + ("" if lang == "zh" else " ") + cli


GPU_PACKAGES = ("vllm", "flash-attn")  # what only a GPU run can verify


def gpu_proved(record: GpuRecord | None) -> dict[str, str]:
    """The versions of the GPU-only packages that a recorded GPU run used."""
    versions = record.versions if record else {}
    return {p: v for p, v in versions.items() if p in GPU_PACKAGES and v}


def gpu_name(record: GpuRecord) -> str:
    gpu = record.gpu
    if not gpu:
        return "no GPU"
    count = f"{gpu['count']} × " if gpu["count"] > 1 else ""
    return f"{count}{gpu['name']}, CUDA {gpu['cuda']}, driver {gpu['driver']}"


def gpu_versions(site: Site, lang: str) -> str:
    t, record = TEXT[lang], site.gpu_record
    proved = gpu_proved(record)
    if not proved:
        return t["gpu_versions_none"]
    versions = t["and"].join(f"`{p}` {v}" for p, v in proved.items())
    weights = t[f"weights_{record.weights}"]
    return t["gpu_versions"].format(
        date=record.date, gpu=gpu_name(record), weights=weights, versions=versions
    )


def hover(text: str) -> str:
    """Text for a marker's hover title: one line, no double quote to end the title early."""
    return " ".join(text.split()).replace('"', "'")


def gpu_label(site: Site, block, lang: str) -> str | None:
    """What the last GPU run says of a block that needs a GPU (None for other blocks)."""
    entries = site.manifest
    paths = [i.path for i in block.includes if manifest.needs_gpu(entries, i.path)]
    if not paths:
        return None
    t, record = TEXT[lang], site.gpu_record
    # An output file shows what its snippet printed or raised: the record has the snippet.
    results = [record.result(manifest.snippet_of(entries, p)) for p in paths] if record else []
    if not record or any(r is None for r in results):
        return t["gpu_none"]
    facts = {"date": record.date, "gpu": gpu_name(record)}
    failed = [r for r in results if r.result == "failed"]
    if failed:
        return t["gpu_failed"].format(reason=hover(failed[0].reason), **facts)
    skipped = [r for r in results if r.result == "skipped"]
    if skipped or not record.gpu:
        reason = skipped[0].reason if skipped else "no GPU"
        return t["gpu_skipped"].format(reason=hover(reason), **facts)
    weights = t[f"weights_{record.weights}"]
    return t["gpu_passed"].format(weights=weights, commit=record.commit[:7], **facts)


def gpu_labels(page: Page) -> list[tuple[int, list[str]]]:
    """(line, lines to insert before it): why nothing runs a block (snippets.toml `not_run`), or
    the last GPU run's word on a GPU-only block."""
    inserts, entries, t = [], page.site.manifest, TEXT[page.lang]
    for block in page.blocks:
        why = [entries[i.path].unrun(page.lang) for i in block.includes if i.path in entries]
        why = next(filter(None, why), None)
        label = (
            t["not_run"].format(why=hover(why)) if why else gpu_label(page.site, block, page.lang)
        )
        cls = "{: .not-run }" if why else "{: .gpu-run }"
        if label:
            inserts.append((block.line, [block.indent + label, block.indent + cls, ""]))
    return inserts


def sources(page: Page, repo_url: str | None) -> list[str]:
    """The folded list of the snippets/ files the page includes, to append at its end."""
    paths = list(dict.fromkeys(i.path for i in page.includes))
    if not paths or not repo_url:
        return []
    base = repo_url.rstrip("/") + "/blob/main/snippets/"
    t = TEXT[page.lang]
    head = ["", "", f'??? info "{t["sources"]}"', "", f"    {t['sources_intro']}", ""]
    return [*head, *(f"    - [`snippets/{p}`]({base}{p})" for p in paths), ""]


def block_anchor(snippet: str) -> str:
    return "code-" + re.sub(r"[^a-z0-9]+", "-", snippet.rsplit(".", 1)[0].lower())


def block_home(page: Page, snippet: str) -> tuple[str, str]:
    """(href, section title) of the first block that includes ``snippet``: on ``page`` if it
    has one, else on another page in the same language."""
    pages = sorted(page.site.pages, key=lambda p: p.name != page.name)
    for p in pages:
        if p.lang != page.lang:
            continue
        for block in p.blocks:
            if any(i.path == snippet for i in block.includes):
                title = [t for line, _, t, _ in p.headings if line < block.line][-1]
                page_file = "" if p.name == page.name else p.path.name
                return f"{page_file}#{block_anchor(snippet)}", title
    raise PluginError(f"no {page.lang} page includes snippets/{snippet}, which others continue")


def continuation_labels(page: Page) -> list[tuple[int, list[str]]]:
    """(line, lines to insert before it): an anchor before each block that others continue, and a
    label before each block that continues another."""
    entries = page.site.manifest
    continued = {e.continues for e in entries.values() if e.continues}
    anchored, inserts = set(), []
    for block in page.blocks:
        new = []
        for inc in block.includes:
            entry = entries.get(inc.path)
            if not entry:
                continue
            if inc.path in continued and inc.path not in anchored:
                anchored.add(inc.path)
                new += [f'{block.indent}<a id="{block_anchor(inc.path)}"></a>', ""]
            if entry.continues:
                href, title = block_home(page, entry.continues)
                text = TEXT[page.lang]["replaces" if entry.replaces else "continues"]
                label = text.format(title=title, href=href)
                new += [block.indent + label, block.indent + "{: .continues }", ""]
        if new:
            inserts.append((block.line, new))
    return inserts


def under_title(page: Page, url: str, repo_url: str | None) -> list[str]:
    """The lines under the title: the verified versions (where the page has code) and the
    notebook links (where it has a notebook)."""
    lines = []
    if page.includes:
        lines += ["", versions_line(page.site, page.lang) + "\n{: .verified-versions }"]
    notebook = NOTEBOOKS / f"{page.name}.{page.lang}.ipynb"
    if notebook.is_file() and repo_url:
        href = "../" * url.count("/") + f"notebooks/{notebook.name}"
        repo = repo_url.rstrip("/").removeprefix("https://github.com/")
        colab = (
            f"https://colab.research.google.com/github/{repo}/blob/main/notebooks/{notebook.name}"
        )
        line = TEXT[page.lang]["notebook"].format(href=href, colab=colab)
        # Raw <a> tags: MkDocs would check a Markdown link against docs/, where notebooks are not.
        gpu = NOTEBOOK_GPU[NOTEBOOK_FORMAT[page.name]][page.lang]
        lines += ["", f":material-notebook: {line} {gpu}", "{: .notebook-links }"]
    return lines


def on_page_markdown(markdown: str, page, config, files) -> str:
    doc = parsed(markdown, page.file.src_uri)
    check_includes(doc)
    title = next(line for line, level, *_ in doc.headings if level == 1)
    inserts = [
        *continuation_labels(doc),
        *gpu_labels(doc),
        (title + 1, under_title(doc, page.url, config.repo_url)),
    ]
    lines = markdown.split("\n")
    for line, new in sorted(inserts, key=lambda x: x[0], reverse=True):
        at = line - 1 - doc.body_start  # the page's 1-based line, in the body MkDocs hands us
        lines[at:at] = new
    markdown = "\n".join(lines).replace(TABLE_MARKER, versions_table(doc.site, doc.lang))
    markdown = markdown.replace(GPU_MARKER, gpu_record(doc.site, doc.lang))
    return markdown + "\n".join(sources(doc, config.repo_url))
