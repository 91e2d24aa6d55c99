"""A page's Markdown as Material and pymdownx read it, line by line, without rendering it: its
fenced blocks with their includes and annotation lists, headings, tabs, admonitions and links.
harness/site/pages.py puts the pages together as a Site."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.site.pages import Site


LANGS = ("en", "zh")
SUFFIX = {"en": ".md", "zh": ".zh.md"}

FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
# pymdownx.snippets' include line: --8<-- "path" or --8<-- "path:section".
INCLUDE = re.compile(r'^(?P<indent>\s*)--8<--\s+"(?P<path>[^":]+)(?::(?P<section>[^"]*))?"\s*$')
# As Python-Markdown reads them: no space is needed after the hashes, so a wrapped prose line
# that starts with "#805" is a heading too.
HEADING = re.compile(
    r"^(?P<hashes>#{1,6})(?!#)\s*(?P<title>.*?)\s*(?:\{\s*#(?P<anchor>[\w-]+)\s*\})?\s*$"
)
TAB = re.compile(r'^(?P<indent>\s*)===(?P<flag>\+?)\s+"(?P<label>[^"]*)"')
ADMONITION = re.compile(r"^(?P<indent>\s*)(?P<kind>!!!|\?\?\?\+?)\s+(?P<type>[\w-]+)?")
LIST_ITEM = re.compile(r"^(?P<indent>\s*)(?P<number>\d+)\.\s+(?P<text>\S.*)$")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\((?P<target>[^)\s]+)\)")
# Material's annotation marker in a comment: "# (1)!". A marker with no number is malformed.
MARKER = re.compile(r"#\s*\((?P<number>[^)]*)\)!")
SECTION_LINE = re.compile(r"^\s*#\s*--8<--\s*\[(start|end):")
# A regex character class's inside: CJK ideographs (and extension A), CJK punctuation and
# full-width forms. A browser renders a line break between two of them as a space, which Chinese
# text has not.
CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
# Such a break in Markdown, with the indentation of the line after it.
CJK_BREAK = re.compile(rf"(?<=[{CJK}])[ \t]*\n[ \t]*(?=[{CJK}])")

SHELL_LANGS = {"bash", "shell", "sh", "console"}
FENCE_LANG_FOR_SUFFIX = {
    ".py": {"python", "py"},
    ".sh": SHELL_LANGS,
    ".json": {"json"},
    ".txt": {"text"},
    ".jinja": {"jinja"},
    "Modelfile": {
        "dockerfile"
    },  # Ollama's, named without a suffix; Pygments has no lexer of its own
}


def lang_of(path: str | Path) -> str:
    """The language of a page file: "zh" for name.zh.md, else "en"."""
    name = Path(path).name
    for lang, suffix in SUFFIX.items():
        if lang != "en" and name.endswith(suffix):
            return lang
    return "en"


def name_of(path: str | Path) -> str:
    """A page file's name, whatever its language: "chat.zh.md" and "chat.md" are "chat"."""
    return str(path).removesuffix(SUFFIX[lang_of(path)])


def page_url(name: str, lang: str) -> str:
    """The page's address relative to the site root: "", "chat/", "zh/", "zh/chat/"."""
    prefix = "" if lang == "en" else f"{lang}/"
    return prefix if name == "index" else f"{prefix}{name}/"


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
    annotation_lines: list[int] = field(default_factory=list)

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
        site = self.page.site
        return [(i.path, line, num) for i in self.includes for line, num in site.markers(i.path)]

    @property
    def code(self) -> str:
        """The included code as the copy button gives it (markers and section lines removed)."""
        return "".join(strip_markers(self.page.site.snippet_text(i.path)) for i in self.includes)

    def where(self) -> str:
        return f"{self.page.rel}:{self.line}"


@dataclass
class Page:
    site: Site = field(repr=False)
    name: str  # "chat", "index", ...
    lang: str
    path: Path
    lines: list[str]
    blocks: list[Block] = field(default_factory=list)
    headings: list[tuple[int, int, str, str | None]] = field(default_factory=list)
    tabs: list[tuple[int, int, str]] = field(default_factory=list)  # (line, depth, label)
    admonitions: list[tuple[int, int, str, str]] = field(default_factory=list)
    links: list[tuple[int, str]] = field(default_factory=list)
    front_matter: dict[str, str] = field(default_factory=dict)
    # Lines before the Markdown that MkDocs hands its hooks: the front matter and the blank
    # lines after it (MkDocs strips both).
    body_start: int = 0

    @property
    def rel(self) -> str:
        return self.path.relative_to(self.site.root).as_posix()

    @property
    def url(self) -> str:
        return page_url(self.name, self.lang)

    @property
    def includes(self) -> list[Include]:
        return [i for b in self.blocks for i in b.includes]

    @property
    def anchors(self) -> list[str]:
        return [a for *_, a in self.headings if a]

    @property
    def title(self) -> str:
        return next(title for _, level, title, _ in self.headings if level == 1)

    def section(self, anchor: str) -> str:
        """The text under the heading with this anchor, up to the next heading of its level."""
        for i, (line, level, _, a) in enumerate(self.headings):
            if a == anchor:
                end = next((ln for ln, lv, *_ in self.headings[i + 1 :] if lv <= level), None)
                return "\n".join(self.lines[line - 1 : (end - 1) if end else None])
        raise LookupError(f"{self.rel}: no heading with anchor {{ #{anchor} }}")


def join_lines(lines) -> str:
    """Join wrapped Markdown lines: with a space in English, with nothing between CJK text."""
    out = ""
    for line in lines:
        cjk = out and (ord(out[-1]) > 0x2E7F or ord(line[0]) > 0x2E7F)
        out += line if not out or cjk else " " + line
    return out


def strip_markers(code: str) -> str:
    """The code as Material's copy button gives it: without markers and snippet section lines."""
    out = []
    for line in code.splitlines():
        if SECTION_LINE.match(line):
            continue
        stripped = MARKER.sub("", line).rstrip()
        if stripped.endswith("#"):
            stripped = stripped[:-1].rstrip()
        out.append(stripped)
    return "\n".join(out).rstrip("\n") + "\n"


def parse_page(site: Site, path: Path) -> Page:
    rel = path.relative_to(site.docs).as_posix()
    lines = path.read_text(encoding="utf-8").splitlines()
    page = Page(site=site, name=name_of(rel), lang=lang_of(rel), path=path, lines=lines)
    i = 0
    if lines and lines[0].strip() == "---":
        end = lines.index("---", 1)
        for line in lines[1:end]:
            key, sep, value = line.partition(":")
            if sep:
                page.front_matter[key.strip()] = value.strip()
        i = end + 1
        while i < len(lines) and not lines[i].strip():
            i += 1
        page.body_start = i
    while i < len(lines):
        line = lines[i]
        m = FENCE.match(line)
        if m:
            i = _parse_block(page, i, m)
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


def _parse_block(page: Page, i: int, m: re.Match) -> int:
    """Parse the fenced block opening at line i and the annotation list after it; return the
    index of the line after the closing fence (the list is scanned again for links)."""
    lines = page.lines
    fence, indent, info = m["fence"], m["indent"], m["info"].strip()
    body, j = [], i + 1
    while j < len(lines) and not lines[j].strip().startswith(fence):
        body.append(lines[j])
        j += 1
    includes = []
    for k, b in enumerate(body):
        inc = INCLUDE.match(b)
        if inc:
            includes.append(Include(inc["path"], inc["section"] or None, i + 2 + k))
    lang = info.split()[0].lstrip("{.").rstrip("}") if info else ""
    block = Block(page, i + 1, indent, lang, info, body, includes)
    page.blocks.append(block)
    # A Material annotation list follows the block at the same indentation.
    k = j + 1
    while k < len(lines) and not lines[k].strip():
        k += 1
    while k < len(lines):
        item = LIST_ITEM.match(lines[k])
        if not item or item["indent"] != indent:
            break
        block.annotation_numbers.append(int(item["number"]))
        block.annotation_lines.append(k + 1)
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
    return j + 1
