"""A small model of the site's pages: what each page includes, annotates, links and nests.

The integrity tests check it, the snippet tests use it to name the pages that include a failing
snippet, and ``notebooks/generate.py`` builds notebooks from it. It reads Markdown as Material and
pymdownx read it, line by line, without rendering it.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

# DOCS_ROOT lets the guard tests point the checks at a scratch copy with a planted defect.
ROOT = Path(os.environ.get("DOCS_ROOT") or Path(__file__).resolve().parents[1])
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
ARTIFACTS = ROOT / "test-artifacts"  # screenshots and server logs for a person to look at
LANGS = ("en", "zh")

FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
INCLUDE = re.compile(r'^\s*--8<--\s+"(?P<path>[^"]+)"\s*$')
HEADING = re.compile(
    r"^(?P<hashes>#{1,6})\s+(?P<title>.*?)\s*(?:\{\s*#(?P<anchor>[\w-]+)\s*\})?\s*$"
)
TAB = re.compile(r'^(?P<indent>\s*)===(?P<flag>\+?)\s+"(?P<label>[^"]*)"')
ADMONITION = re.compile(r"^(?P<indent>\s*)(?P<kind>!!!|\?\?\?\+?)\s+(?P<type>[\w-]+)?")
LIST_ITEM = re.compile(r"^(?P<indent>\s*)(?P<number>\d+)\.\s+(?P<text>\S.*)$")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\((?P<target>[^)\s]+)\)")
# Material's annotation marker in a comment: "# (1)!". A marker with no number is malformed.
MARKER = re.compile(r"#\s*\((?P<number>[^)]*)\)!")

LANG_OF_SUFFIX = {"en": ".md", "zh": ".zh.md"}
SHELL_LANGS = {"bash", "shell", "sh", "console"}
FENCE_LANG_FOR_SUFFIX = {
    ".py": {"python", "py"},
    ".sh": SHELL_LANGS,
    ".json": {"json"},
    ".txt": {"text"},
}


@dataclass
class Include:
    path: str  # relative to snippets/, without a ":section" suffix
    section: str | None
    line: int


@dataclass
class Block:
    page: Page
    line: int  # 1-based line of the opening fence
    indent: str
    lang: str
    info: str
    body: list[str]
    includes: list[Include]
    annotations: list[str] = field(default_factory=list)  # the list items after the block
    annotation_numbers: list[int] = field(default_factory=list)

    @property
    def is_include(self) -> bool:
        lines = [b for b in self.body if b.strip()]
        return bool(lines) and all(INCLUDE.match(b) for b in lines)

    @property
    def is_output(self) -> bool:
        return self.is_include and all(i.path.startswith("outputs/") for i in self.includes)

    @property
    def markers(self) -> list[tuple[str, int, str]]:
        """(snippet, line, number-text) for every annotation marker in the included code."""
        return [(i.path, line, num) for i in self.includes for line, num in markers(i.path)]

    @property
    def code(self) -> str:
        """The included code as the copy button gives it (markers and section lines removed)."""
        return "".join(
            strip_markers((SNIPPETS / i.path).read_text(encoding="utf-8")) for i in self.includes
        )

    def where(self) -> str:
        return f"{self.page.rel}:{self.line}"


@dataclass
class Page:
    name: str  # "chat", "index", ...
    lang: str
    path: Path
    lines: list[str]
    blocks: list[Block] = field(default_factory=list)
    headings: list[tuple[int, int, str, str | None]] = field(default_factory=list)
    tabs: list[tuple[int, int, str]] = field(default_factory=list)  # (line, depth, label)
    admonitions: list[tuple[int, int, str, str]] = field(default_factory=list)
    links: list[tuple[int, str]] = field(default_factory=list)

    @property
    def rel(self) -> str:
        return str(self.path.relative_to(ROOT))

    @property
    def url(self) -> str:
        prefix = "" if self.lang == "en" else f"{self.lang}/"
        return prefix if self.name == "index" else f"{prefix}{self.name}/"

    @property
    def includes(self) -> list[Include]:
        return [i for b in self.blocks for i in b.includes]

    @property
    def anchors(self) -> list[str]:
        return [a for *_, a in self.headings if a]


def page_files() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def split_name(path: Path) -> tuple[str, str]:
    rel = path.relative_to(DOCS).as_posix()
    if rel.endswith(".zh.md"):
        return rel[: -len(".zh.md")], "zh"
    return rel[: -len(".md")], "en"


def parse_page(path: Path) -> Page:
    name, lang = split_name(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    page = Page(name=name, lang=lang, path=path, lines=lines)
    i = 0
    in_front_matter = bool(lines) and lines[0].strip() == "---"
    if in_front_matter:
        i = lines.index("---", 1) + 1
    while i < len(lines):
        line = lines[i]
        m = FENCE.match(line)
        if m:
            fence, indent = m["fence"], m["indent"]
            info = m["info"].strip()
            body, j = [], i + 1
            while j < len(lines) and not lines[j].strip().startswith(fence):
                body.append(lines[j])
                j += 1
            includes = []
            for k, b in enumerate(body):
                inc = INCLUDE.match(b)
                if inc:
                    p, _, section = inc["path"].partition(":")
                    includes.append(Include(p, section or None, i + 2 + k))
            lang = info.split()[0].lstrip("{.").rstrip("}") if info else ""
            block = Block(page, i + 1, indent, lang, info, body, includes)
            page.blocks.append(block)
            i = j + 1
            # A Material annotation list follows the block at the same indentation.
            k = i
            while k < len(lines) and not lines[k].strip():
                k += 1
            while k < len(lines):
                item = LIST_ITEM.match(lines[k])
                if not item or item["indent"] != indent:
                    break
                block.annotation_numbers.append(int(item["number"]))
                text = [item["text"]]
                k += 1
                while k < len(lines) and (
                    not lines[k].strip()
                    and k + 1 < len(lines)
                    and lines[k + 1].startswith(indent + "    ")
                    or lines[k].startswith(indent + "    ")
                ):
                    text.append(lines[k].strip())
                    k += 1
                block.annotations.append(join_lines(t for t in text if t))
                while k < len(lines) and not lines[k].strip():
                    k += 1
            continue
        h = HEADING.match(line)
        if h and not line.startswith("    "):
            page.headings.append((i + 1, len(h["hashes"]), h["title"], h["anchor"]))
        t = TAB.match(line)
        if t:
            page.tabs.append((i + 1, len(t["indent"]) // 4, t["label"]))
        a = ADMONITION.match(line)
        if a:
            page.admonitions.append((i + 1, len(a["indent"]) // 4, a["kind"], a["type"] or ""))
        for link in LINK.finditer(line):
            page.links.append((i + 1, link["target"]))
        i += 1
    return page


def join_lines(lines) -> str:
    """Join wrapped Markdown lines: with a space in English, with nothing between CJK text."""
    out = ""
    for line in lines:
        cjk = out and (ord(out[-1]) > 0x2E7F or ord(line[0]) > 0x2E7F)
        out += line if not out or cjk else " " + line
    return out


@cache
def pages() -> tuple[Page, ...]:
    return tuple(parse_page(p) for p in page_files())


def page(name: str, lang: str) -> Page:
    for p in pages():
        if p.name == name and p.lang == lang:
            return p
    raise LookupError(
        f"no page {name!r} in language {lang!r} (looked for docs/{name}{LANG_OF_SUFFIX[lang]})"
    )


def page_names() -> list[str]:
    return sorted({p.name for p in pages()})


def snippet_files() -> list[str]:
    return sorted(p.relative_to(SNIPPETS).as_posix() for p in SNIPPETS.rglob("*") if p.is_file())


def verified_versions() -> dict[str, list[str]]:
    """[lowest, newest] per package: pyproject.toml's [tool.qwen2-guide.verified]."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return pyproject["tool"]["qwen2-guide"]["verified"]


def including_pages(snippet: str) -> list[str]:
    """'docs/chat.md:25' for every place a page includes the snippet."""
    return [
        f"{b.page.rel}:{i.line}"
        for p in pages()
        for b in p.blocks
        for i in b.includes
        if i.path == snippet
    ]


def markers(snippet: str) -> list[tuple[int, str]]:
    """(line, number-text) for every annotation marker in a snippet."""
    text = (SNIPPETS / snippet).read_text(encoding="utf-8")
    return [
        (n, m["number"])
        for n, line in enumerate(text.splitlines(), 1)
        for m in MARKER.finditer(line)
    ]


def strip_markers(code: str) -> str:
    """The code as Material's copy button gives it: without markers and snippet section lines."""
    out = []
    for line in code.splitlines():
        if re.match(r"^\s*#\s*--8<--\s*\[(start|end):", line):
            continue
        stripped = MARKER.sub("", line).rstrip()
        if stripped.endswith("#"):
            stripped = stripped[:-1].rstrip()
        out.append(stripped)
    return "\n".join(out).rstrip("\n") + "\n"
