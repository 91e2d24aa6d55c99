"""Integrity rules: what the pages show is what the suite tests.

Each rule is a plain function of a Site that returns its problems, each starting with the file and
line at fault. tests/test_integrity.py runs them on the repository; tests/test_guards.py plants
defects in a scratch copy and calls them on it.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections import Counter
from collections.abc import Callable

from harness.site.markdown import CJK, CJK_BREAK
from harness.site.pages import (
    LANGS,
    SUFFIX,
    Page,
    Site,
)

Rule = Callable[[Site], list[str]]
RULES: dict[str, Rule] = {}


def rule(fn: Rule) -> Rule:
    RULES[fn.__name__] = fn
    return fn


def check(site: Site) -> dict[str, list[str]]:
    """Every rule's problems, by rule name (empty lists for rules that pass)."""
    return {name: fn(site) for name, fn in RULES.items()}


@rule
def every_page_exists_in_every_language(site: Site) -> list[str]:
    return [
        f"docs/{name}{SUFFIX[lang]}: missing ({lang} translation of docs/{name}{SUFFIX['en']})"
        for name in site.page_names
        for lang in LANGS
        if not (site.docs / f"{name}{SUFFIX[lang]}").is_file()
    ]


@rule
def every_code_block_is_a_snippet_include(site: Site) -> list[str]:
    return [
        f"{b.where()}: code block is not a snippet include "
        '(put the code in snippets/ and write --8<-- "path" in the fence)'
        for p in site.pages
        for b in p.blocks
        if not b.is_include
    ]


@rule
def translations_have_the_same_structure(site: Site) -> list[str]:
    comparisons = {
        "snippet includes (in order)": lambda pg: [i.path for i in pg.includes],
        "heading anchors": lambda pg: pg.anchors,
        "tab nesting": lambda pg: [depth for _, depth, _ in pg.tabs],
        "admonitions": lambda pg: [(d, kind, t) for _, d, kind, t in pg.admonitions],
    }
    problems = []
    for name in site.page_names:
        try:
            en = site.page(name, "en")
        except LookupError:
            continue  # every_page_exists_in_every_language names it
        for lang in LANGS[1:]:
            try:
                other = site.page(name, lang)
            except LookupError:
                continue
            for what, get in comparisons.items():
                if get(en) != get(other):
                    problems.append(
                        f"{other.rel}: {what} differ from {en.rel}:\n"
                        f"    {en.lang}: {get(en)}\n    {lang}: {get(other)}"
                    )
            for a, b in zip(en.blocks, other.blocks, strict=False):
                if len(a.annotations) != len(b.annotations):
                    problems.append(
                        f"{b.where()}: {len(b.annotations)} annotation items, but {a.where()} "
                        f"has {len(a.annotations)}"
                    )
    return problems


# A figure in prose: a decimal, a number grouped by thousands, a version, or any number with a
# unit; "7.6 billion" and "76 亿" are the same figure. Code spans, link targets, heading anchors
# and issue numbers are not prose.
FIGURE = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)+|\d{1,3}(?:,\d{3})+|\d+)"
    r"(\s?(?:billion|million|亿|万))?(\s?(?:GB|GiB|KiB|MB|MiB|%))?"
)
NOT_PROSE = re.compile(r"`[^`]*`|\]\([^)]*\)|\{ #[^}]*\}|#\d+")
SCALE = {"billion": 1e9, "million": 1e6, "亿": 1e8, "万": 1e4}


def figures(lines: list[str]) -> list[tuple[str, int]]:
    """(figure, line number) for each figure a page states, in a form both languages share."""
    out = []
    for n, line in enumerate(lines, 1):
        for number, scale, unit in FIGURE.findall(NOT_PROSE.sub("", line)):
            plain = number.count(".") <= 1
            if plain and not (scale or unit or "." in number or "," in number):
                continue  # a small count or a list number: words in one language, digits in another
            value = float(number.replace(",", "")) * SCALE.get(scale.strip(), 1) if plain else 0
            out.append((f"{value:g}" if plain else number, n))
    return out


@rule
def translations_state_the_same_figures(site: Site) -> list[str]:
    """Every figure a page states, each as often, in every language: a figure changed in one
    language only shows here."""
    problems = []
    for name in site.page_names:
        try:
            pages = [site.page(name, lang) for lang in LANGS]
        except LookupError:
            continue  # every_page_exists_in_every_language names it
        stated = [figures(p.lines) for p in pages]
        counts = [Counter(f for f, _ in s) for s in stated]
        for page, mine, theirs, other in (
            (pages[0], stated[0], counts[0] - counts[1], pages[1]),
            (pages[1], stated[1], counts[1] - counts[0], pages[0]),
        ):
            for figure in theirs:
                line = next(n for f, n in mine if f == figure)
                problems.append(
                    f"{page.rel}:{line}: states {figure} {theirs[figure]} more time(s) than "
                    f"{other.rel} does"
                )
    return problems


@rule
def no_line_starts_with_a_number_sign(site: Site) -> list[str]:
    """A wrapped line that starts with "#17120" is a heading in Markdown, not an issue number."""
    return [
        f"{p.rel}:{n}: starts with {line.strip()[:12]!r}: Markdown makes it a heading; rewrap it"
        for p in site.pages
        for n, line in enumerate(p.lines, 1)
        if re.match(r"\s*#\d", line)
    ]


@rule
def headings_have_ascii_anchors(site: Site) -> list[str]:
    return [
        f"{p.rel}:{line}: heading {title!r} has no explicit ASCII anchor {{ #id }}"
        for p in site.pages
        for line, _, title, anchor in p.headings
        if not anchor
    ]


@rule
def internal_links_resolve(site: Site) -> list[str]:
    problems = []
    for p in site.pages:
        for line, target in p.links:
            if re.match(r"^[a-z]+://|^mailto:", target):
                continue
            path, _, anchor = target.partition("#")
            if path:
                resolved = (p.path.parent / path).resolve()
                try:
                    name = resolved.relative_to(site.docs.resolve()).as_posix()
                except ValueError:
                    problems.append(f"{p.rel}:{line}: link {target!r} leaves docs/")
                    continue
                if not name.endswith(".md"):
                    if not resolved.is_file():
                        problems.append(f"{p.rel}:{line}: link {target!r}: no such file")
                    continue
                name = name[: -len(".md")]
            else:
                name = p.name
            try:
                dest = site.page(name, p.lang)
            except LookupError:
                problems.append(f"{p.rel}:{line}: link {target!r}: no page {name!r} in {p.lang}")
                continue
            if anchor and anchor not in dest.anchors:
                problems.append(
                    f"{p.rel}:{line}: link {target!r}: no anchor #{anchor} in {dest.rel}"
                )
    return problems


@rule
def pages_have_their_own_description(site: Site) -> list[str]:
    """Material falls back to site_description, so a page without one would still get a tag."""
    return [
        f"{p.rel}:1: no `description:` of 50 characters or more in the front matter"
        for p in site.pages
        if len(p.front_matter.get("description", "")) < 50
    ]


BACKTICKS = re.compile(r"`+")


def code_span_problems(text: str) -> list[str]:
    """Inline code that Markdown would not render as written: a run of backticks with no closing
    run of the same length (the rest shows as plain text), or a span whose content holds a
    backtick, or a span glued to the word after it (`...the`dtype` flag...` meant as one span
    renders "dtype" as plain text)."""
    out, runs = [], list(BACKTICKS.finditer(text))
    i = 0
    while i < len(runs):
        opener = runs[i]
        closer = next(
            (j for j in range(i + 1, len(runs)) if len(runs[j][0]) == len(opener[0])), None
        )
        if closer is None:
            out.append(f"unclosed {opener[0]!r} before {text[opener.end() : opener.end() + 30]!r}")
            i += 1
            continue
        content = text[opener.end() : runs[closer].start()]
        end = runs[closer].end()
        if "`" in content:
            out.append(f"inline code holds a backtick: {opener[0]}{content}{opener[0]}")
        elif text[end : end + 1].isascii() and text[end : end + 1].isalnum():
            # `the`dtype` flag`: meant as one span, it renders "dtype" as text, glued.
            out.append(f"inline code runs into a word: {text[opener.start() : end + 10]!r}")
        i = closer + 1
    return out


@rule
def inline_code_renders_as_written(site: Site) -> list[str]:
    problems = []
    for p in site.pages:
        fenced = {
            n for b in p.blocks for n in range(b.line, b.line + len(b.body) + 2)
        }  # 1-based lines of fences and their bodies
        paragraph: list[tuple[int, str]] = []
        for n, line in enumerate([*p.lines, ""], 1):
            if n in fenced or not line.strip():
                if paragraph:
                    text = " ".join(t for _, t in paragraph)
                    problems += [
                        f"{p.rel}:{paragraph[0][0]}: {m}" for m in code_span_problems(text)
                    ]
                paragraph = []
                continue
            paragraph.append((n, line.strip()))
    return problems


@rule
def home_page_lists_every_page(site: Site) -> list[str]:
    """The home page's list of pages links every other page, in each language."""
    problems = []
    for lang in LANGS:
        try:
            home = site.page("index", lang)
        except LookupError:
            continue  # every_page_exists_in_every_language names it
        linked = {target.split("#")[0].removesuffix(".md") for _, target in home.links}
        problems += [
            f"{home.rel}: the list of pages does not link {name}.md"
            for name in site.page_names
            if name != "index" and name not in linked
        ]
    return problems


# Words that claim a GPU run; on the pages only the MkDocs hook writes them, from the record
# (verified/gpu.json), so that no page claims a run that did not happen.
GPU_CLAIMS = re.compile(
    r"(verified|tested|ran|checked|(been|was|were) run) on (a|an|the|this) (NVIDIA )?GPU|"
    r"在\s*(NVIDIA\s*)?GPU\s*上(验证|测试|运行)(过|通过)",
    re.IGNORECASE,
)


@rule
def gpu_claims_come_from_the_record(site: Site) -> list[str]:
    return [
        f"{p.rel}:{n}: {m[0]!r}: a claim about a GPU run; the pages state those from "
        "verified/gpu.json only (harness/hooks/snippets.py)"
        for p in site.pages
        for n, line in enumerate(p.lines, 1)
        for m in GPU_CLAIMS.finditer(line)
    ]


# docs/glossary.zh.toml: the one word for each concept on the Chinese pages, and the words to avoid.
GLOSSARY = "glossary.zh.toml"


def unwrapped(text: str) -> tuple[str, list[int]]:
    """The text as it renders, without its line breaks between two Chinese characters (CJK_BREAK),
    and the offset in ``text`` of each character kept."""
    gone = {i for m in CJK_BREAK.finditer(text) for i in range(m.start(), m.end())}
    kept = [i for i in range(len(text)) if i not in gone]
    return "".join(text[i] for i in kept), kept


def avoided_words(text: str, terms: list[dict]) -> list[tuple[int, str]]:
    """(offset in text, message) for each word the glossary avoids, outside its fine_in phrases."""
    flat, offsets = unwrapped(text)
    found = []
    for term in terms:
        for avoid in term.get("avoid", []):
            word = avoid["word"]
            allowed = {  # where the word starts inside one of its fine_in phrases
                m.start() + k
                for phrase in avoid.get("fine_in", [])
                for m in re.finditer(re.escape(phrase), flat)
                for k in range(len(phrase) - len(word) + 1)
                if phrase.startswith(word, k)
            }
            for m in re.finditer(re.escape(word), flat):
                if m.start() not in allowed:
                    found.append(
                        (offsets[m.start()], f"{word} -> {term['zh']} (glossary: {term['en']})")
                    )
    return sorted(found)


INLINE_CODE = re.compile(r"`[^`\n]*`")


def prose(page: Page) -> str:
    """The page's text without its fenced blocks and inline code, each blanked where it was so
    that offsets keep their lines."""
    lines = list(page.lines)
    for b in page.blocks:
        for n in range(b.line - 1, min(b.line + len(b.body) + 1, len(lines))):
            lines[n] = ""
    return INLINE_CODE.sub(lambda m: " " * len(m[0]), "\n".join(lines))


def hook_strings(site: Site) -> list[tuple[str, str]]:
    """("harness/hooks/name.py:LINE", text) for each string with Chinese in the build's hooks."""
    found = []
    for path in sorted((site.root / "harness" / "hooks").glob("*.py")):
        rel = path.relative_to(site.root).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if re.search(f"[{CJK}]", node.value):
                    found.append((f"{rel}:{node.lineno}", node.value))
    return found


@rule
def chinese_pages_use_the_glossary(site: Site) -> list[str]:
    path = site.docs / GLOSSARY
    if not path.is_file():
        return [f"docs/{GLOSSARY}: missing (the Chinese pages' glossary)"]
    terms = tomllib.loads(path.read_text(encoding="utf-8"))["term"]
    problems = []
    for page in site.pages:
        if page.lang == "zh":
            text = prose(page)
            for offset, message in avoided_words(text, terms):
                line = text.count("\n", 0, offset) + 1
                problems.append(f"{page.rel}:{line}: {message}")
    for where, text in hook_strings(site):
        problems += [f"{where}: {message}" for _, message in avoided_words(text, terms)]
    return problems


# The rules over snippets: registered when imported.
from harness.site import snippet_rules  # noqa: E402, F401
