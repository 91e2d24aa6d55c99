"""How the built pages read: length, text before the first code, sentences, labels, line breaks.

    python -m harness.tools.readability [SITE_DIR] [--json] [--check]

Measures the main text of every built page (default site/), both languages: Material's
<article>, less code blocks and their annotation lists, collapsed notes, headerlinks, the
generated versions line and notebook links. Inline <code> counts. Units: English words (tokens
with a letter or digit); Chinese characters (CJK ideographs, plus Latin words such as
Qwen2-7B-Instruct, one each).

- words; before_code (0 on a page without code); gpu_marker_words (the generated GPU labels);
- release_sentences: sentences naming a version (three parts, after >= or ==, after a name like
  "CUDA 12.9", or where the sentence says version/release/版本; not a figure with a unit);
- mean_sentence, max_sentence: English splits on . ! ? before a space, Chinese on 。！？；, never
  across block elements; headings, table cells, labels and sentences under 3 words left out;
- cjk_breaks (Chinese): line breaks between two CJK characters outside <pre>/<code>, which a
  browser shows as spaces (harness/hooks/chinese.py removes them).

TARGETS: what every page meets (tests/test_readability.py); `--check` exits 1 on a miss."""

from __future__ import annotations

import argparse
import heapq
import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from harness.site.markdown import CJK
from harness.site.paths import ROOT

INLINE = set("a abbr b br cite code del em i img input ins kbd mark q s samp small span".split())
INLINE |= {"strong", "sub", "sup", "u", "var", "wbr"}
VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
SKIPPED = {"pre", "script", "style", "svg", "select", "template", "textarea"}
SKIPPED_CLASSES = {"highlight", "headerlink", "verified-versions", "notebook-links"}
RAW = {"pre", "code", "script", "style", "textarea"}  # shown as written: no cjk_breaks there
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6", "th", "td", "summary", "label", "dt"}
LABELS = {"admonition-title", "gpu-run", "not-run"}
UNIT = {"en": "words", "zh": "characters"}

ZH_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]|[A-Za-z0-9]+(?:[._\-/+'][A-Za-z0-9]+)*")
EN_END = re.compile(
    r"(?:(?<=[.!?])|(?<=[.!?][\"')\]”’]))(?<!e\.g\.)(?<!i\.e\.)(?<!\bvs\.)"
    r"(?<!\bcf\.)\s+"
)
ZH_END = re.compile(r"(?<=[。！？；])\s*")
CJK_BREAK = re.compile(rf"(?<=[{CJK}])[ \t]*\n\s*(?=[{CJK}])")
VERSION = re.compile(r"(?<![\w.])\d+\.\d+(\.\d+)?(?![.\d]*\d|\w)")
FIGURE_UNIT = re.compile(
    r"[\s\u00a0\u202f]*(?:(?:[kKMGTP]i?B|B)\b|%|×|x\b|m?s\b|tok|tokens?\b|seconds?\b|minutes?\b"
    r"|hours?\b|bits?\b|bytes?\b|billion\b|million\b|GHz|秒|倍|分钟|小时|位|字节|亿|万)"
)
COMPARED = re.compile(r"(?:[<>=~!]=|[<>])\s*$")
NAME_BEFORE = re.compile(r"([A-Za-z][\w.+-]*)[\s\u00a0]+$")
VALUE_WORDS = {"temperature", "top-p", "top_p", "top-k", "min-p", "min_p", "penalty", "of", "as"}
VALUE_WORDS |= {"at", "is", "are", "to", "than", "by", "and", "or", "with", "about", "from", "be"}
RELEASE_WORDS = re.compile(r"\b(?:versions?|releases?)\b|版本", re.I)


def count(text: str, lang: str) -> int:
    """Words (English) or characters (Chinese) of a text, as the docstring says."""
    if lang == "zh":
        return len(ZH_WORD.findall(text))
    return sum(1 for token in text.split() if any(c.isalnum() for c in token))


def sentences(text: str, lang: str) -> list[str]:
    return [s.strip() for s in (ZH_END if lang == "zh" else EN_END).split(text) if s.strip()]


def names_release(sentence: str) -> bool:
    for m in VERSION.finditer(sentence):
        if FIGURE_UNIT.match(sentence, m.end()):
            continue
        before = sentence[: m.start()]
        name = NAME_BEFORE.search(before)
        if m[1] or COMPARED.search(before) or RELEASE_WORDS.search(sentence):
            return True
        if name and name[1].lower() not in VALUE_WORDS:
            return True
    return False


class Article(HTMLParser):
    """A built page's main text in runs between block boundaries, each with what it is part of
    (`runs`: text, in sentence statistics, in a GPU label, before the first code), and its whole
    <article>'s text outside <pre> and <code>, a NUL at each block tag and <code> (`flat`)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, tuple[str, ...]]] = []  # the article's open elements, flags
        self.depth: Counter[str] = Counter()  # how many open elements have each flag
        self.runs: list[tuple[str, bool, bool, bool]] = []
        self.pieces: list[str] = []
        self.flat: list[str] = []
        self.kind = (True, False, True)
        self.code_seen = self.after_code = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        if not self.stack:
            if tag == "article" and "md-content__inner" in classes:
                self.stack.append((tag, ()))
            return
        self.boundary(tag)
        collapsed = tag == "details" and "open" not in attributes
        code = tag == "pre" or "highlight" in classes
        skip = tag in SKIPPED or bool(classes & SKIPPED_CLASSES) or collapsed
        skip = skip or (tag == "ol" and self.after_code)  # an annotation list
        self.after_code = False
        self.code_seen = self.code_seen or (code and not self.depth["collapsed"])
        if tag == "br" and not self.depth["skip"]:
            self.pieces.append(" ")
        if tag in VOID:
            return
        heading = tag in HEADINGS or bool(classes & LABELS)
        flags = dict(skip=skip, collapsed=collapsed, code=code, raw=tag in RAW, heading=heading)
        names = (*(n for n, on in flags.items() if on), *(["gpu"] if "gpu-run" in classes else []))
        self.stack.append((tag, names))
        self.depth.update(names)

    def handle_endtag(self, tag):
        if tag in VOID or tag not in (t for t, _ in self.stack):
            return
        self.boundary(tag)
        while self.stack:
            name, flags = self.stack.pop()
            self.depth.subtract(flags)
            self.after_code = "code" in flags
            if name == tag:
                break

    def handle_data(self, data):
        if not self.stack:
            return
        if not self.depth["raw"]:
            self.flat.append(data)
        self.after_code = self.after_code and not data.strip()
        if self.depth["skip"]:
            return
        if not self.pieces:
            self.kind = (not self.depth["heading"], bool(self.depth["gpu"]), not self.code_seen)
        self.pieces.append(data)

    def boundary(self, tag):
        if tag not in INLINE:
            self.flush()
        if tag not in INLINE or tag in RAW:  # <code> holds no CJK character either
            self.flat.append("\0")

    def flush(self):
        text = " ".join("".join(self.pieces).split())
        if text:
            self.runs.append((text, *self.kind))
        self.pieces = []


@dataclass
class Measurement:
    built: str  # the page's file in the built site: quickstart/index.html
    name: str
    lang: str
    words: int
    before_code: int
    release_sentences: int
    mean_sentence: float
    max_sentence: int
    gpu_marker_words: int
    cjk_breaks: int
    longest: list[tuple[int, str]] = field(default_factory=list, repr=False)  # 5 longest


def measure_html(html: str, lang: str, built: str = "index.html") -> Measurement:
    article = Article()
    article.feed(html)
    article.close()
    article.flush()
    runs = article.runs
    split = [(s, ok) for text, ok, _, _ in runs for s in sentences(text, lang)]
    lengths = [(n, s) for s, ok in split if ok and (n := count(s, lang)) >= 3]
    parent = Path(built).parent.name
    return Measurement(
        built=built,
        name="index" if parent in ("", "zh") else parent,
        lang=lang,
        words=sum(count(text, lang) for text, *_ in runs),
        before_code=sum(count(t, lang) for t, _, _, before in runs if before and article.code_seen),
        release_sentences=sum(names_release(s) for s, _ in split),
        mean_sentence=round(sum(n for n, _ in lengths) / len(lengths), 1) if lengths else 0.0,
        max_sentence=max((n for n, _ in lengths), default=0),
        gpu_marker_words=sum(count(text, lang) for text, _, gpu, _ in runs if gpu),
        cjk_breaks=len(CJK_BREAK.findall("".join(article.flat))) if lang == "zh" else 0,
        longest=heapq.nlargest(5, lengths),
    )


def measure_site(site: Path) -> list[Measurement]:
    """Every page of both languages: */index.html, zh/*/index.html and the two home pages."""
    site = Path(site)
    found = {*site.glob("*/index.html"), *site.glob("zh/*/index.html")}
    found = {p for p in found | {site / "index.html", site / "zh" / "index.html"} if p.is_file()}
    built = sorted(p.relative_to(site).as_posix() for p in found)
    built = [b for b in built if not {"404", "search", "notebooks", "assets"} & set(b.split("/"))]
    return [
        measure_html((site / b).read_text(encoding="utf-8"), "zh" if b[:3] == "zh/" else "en", b)
        for b in sorted(built, key=lambda b: b.removesuffix("index.html"))
    ]


def source(built: str) -> str:
    """The page's Markdown: zh/quickstart/index.html -> docs/quickstart.zh.md."""
    parts = built.split("/")[:-1]
    zh = parts[:1] == ["zh"]
    return f"docs/{'/'.join(parts[zh:]) or 'index'}{'.zh' if zh else ''}.md"


@dataclass(frozen=True)
class Target:
    """At most `limits[lang]` of `metric` on every page of that language but the exempt ones."""

    metric: str
    limits: dict[str, float]  # a language not named here has no limit
    what: str  # "{unit}": words or characters
    exempt: tuple[str, ...] = ()  # page names


RELEASE_PAGES = ("troubleshooting", "testing")  # older releases' errors; the verified versions
TARGETS = (
    Target("words", {"en": 1500}, "{unit} of main text"),
    Target("before_code", {"en": 120, "zh": 200}, "{unit} of main text before the first code"),
    Target("release_sentences", {"en": 5, "zh": 5}, "sentences naming a release", RELEASE_PAGES),
    Target("mean_sentence", {"en": 18, "zh": 35}, "{unit} per sentence on average"),
    Target("max_sentence", {"en": 40}, "{unit} in the longest sentence"),
    Target("gpu_marker_words", {"en": 60, "zh": 60}, "{unit} in the GPU labels"),
    Target("cjk_breaks", {"zh": 0}, "line breaks between Chinese characters"),
)


def figure(value: float) -> str:
    return f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"


def violations(measurements: list[Measurement], targets=TARGETS) -> list[str]:
    """One line per target a page misses, naming the page's Markdown and built file."""
    out = []
    for target in targets:
        for m in measurements:
            limit, value = target.limits.get(m.lang), getattr(m, target.metric)
            if limit is None or m.name in target.exempt or value <= limit:
                continue
            what = target.what.format(unit=UNIT[m.lang])
            out.append(
                f"{source(m.built)} (built: {m.built}): {figure(value)} {what} (at most {limit:,})"
            )
    return out


COLUMNS = "words before_code release_sentences mean_sentence max_sentence gpu_marker_words".split()
COLUMNS += ["cjk_breaks"]


def report(measurements: list[Measurement]) -> str:
    """The table, each language's 5 longest sentences, and the targets missed."""
    lines = ["| page | lang | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 2) + "|"]
    for m in measurements:
        cells = [m.name, m.lang, *(figure(getattr(m, c)) for c in COLUMNS)]
        lines.append("| " + " | ".join(cells) + " |")
    for lang, unit in UNIT.items():
        ranked = [(n, m.built, s) for m in measurements if m.lang == lang for n, s in m.longest]
        lines += ["", f"Longest sentences ({lang}):"]
        lines += [f"- {n} {unit}, {page}: {s}" for n, page, s in heapq.nlargest(5, ranked)]
    bad = violations(measurements)
    lines += ["", f"{len(bad)} targets missed:" if bad else "Every target met."]
    return "\n".join(lines + [f"- {line}" for line in bad])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.tools.readability")
    parser.add_argument("site", nargs="?", type=Path, default=ROOT / "site")
    parser.add_argument("--json", action="store_true", help="JSON instead of Markdown")
    parser.add_argument("--check", action="store_true", help="exit 1 where a target is missed")
    args = parser.parse_args(argv)
    measurements = measure_site(args.site)
    if not measurements:
        parser.error(f"no built pages in {args.site}: run `mkdocs build` first")
    bad = violations(measurements)
    if args.json:
        print(json.dumps({"pages": [asdict(m) for m in measurements], "violations": bad}, indent=1))
    else:
        print(report(measurements))
    return 1 if args.check and bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
