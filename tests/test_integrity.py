"""What the pages show is what the suite tests: each rule names the page, line and rule it broke."""

from __future__ import annotations

import json
import re
import shlex

import pytest

import docsite
from docsite import DOCS, LANGS, SNIPPETS

pytestmark = pytest.mark.timeout(60)


def fail_if(problems: list[str]) -> None:
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture(scope="module")
def pages():
    return docsite.pages()


def test_every_page_exists_in_every_language(pages):
    names = {p.name for p in pages}
    fail_if(
        [
            f"docs/{name}{docsite.LANG_OF_SUFFIX[lang]}: missing ({lang} translation of {name})"
            for name in sorted(names)
            for lang in LANGS
            if not (DOCS / f"{name}{docsite.LANG_OF_SUFFIX[lang]}").is_file()
        ]
    )


def test_every_code_block_is_a_snippet_include(pages):
    fail_if(
        [
            f"{b.where()}: code block is not a snippet include "
            '(put the code in snippets/ and write --8<-- "path" in the fence)'
            for p in pages
            for b in p.blocks
            if not b.is_include
        ]
    )


def test_every_include_exists(pages):
    problems = []
    for p in pages:
        for inc in p.includes:
            path = SNIPPETS / inc.path
            if not path.is_file():
                problems.append(
                    f"{p.rel}:{inc.line}: includes snippets/{inc.path}, which is missing"
                )
            elif inc.section and f"[start:{inc.section}]" not in path.read_text(encoding="utf-8"):
                problems.append(
                    f"{p.rel}:{inc.line}: section {inc.section!r} is not in snippets/{inc.path}"
                )
    fail_if(problems)


def test_every_snippet_is_on_a_page(pages):
    included = {i.path for p in pages for i in p.includes}
    fail_if(
        [f"snippets/{s}: no page includes it" for s in docsite.snippet_files() if s not in included]
    )


@pytest.mark.parametrize("name", docsite.page_names())
def test_translation_has_the_same_structure(name):
    en, problems = docsite.page(name, "en"), []
    for lang in LANGS[1:]:
        try:
            other = docsite.page(name, lang)
        except LookupError as missing:
            problems.append(str(missing))
            continue
        comparisons = {
            "snippet includes (in order)": lambda pg: [i.path for i in pg.includes],
            "heading anchors": lambda pg: pg.anchors,
            "tab nesting": lambda pg: [depth for _, depth, _ in pg.tabs],
            "admonitions": lambda pg: [(d, kind, t) for _, d, kind, t in pg.admonitions],
        }
        for what, get in comparisons.items():
            if get(en) != get(other):
                problems.append(
                    f"{other.rel}: {what} differ from {en.rel}:\n"
                    f"    {en.lang}: {get(en)}\n    {lang}: {get(other)}"
                )
        for a, b in zip(en.blocks, other.blocks, strict=False):
            if len(a.annotations) != len(b.annotations):
                problems.append(
                    f"{b.where()}: {len(b.annotations)} annotation items, but {a.where()} has "
                    f"{len(a.annotations)}"
                )
    fail_if(problems)


def test_annotation_markers_and_lists_match(pages):
    problems = []
    for s in docsite.snippet_files():
        numbers = []
        for line, num in docsite.markers(s):
            if not num.isdigit():
                problems.append(f"snippets/{s}:{line}: malformed annotation marker '# ({num})!'")
            else:
                numbers.append(int(num))
        if numbers != list(range(1, len(numbers) + 1)):
            problems.append(
                f"snippets/{s}: markers are {numbers}, expected 1..{len(numbers)} in order"
            )
    for p in pages:
        for b in p.blocks:
            n = len(b.markers)
            if b.annotation_numbers != list(range(1, n + 1)):
                problems.append(
                    f"{b.where()}: the block has {n} annotation markers but the list after it has "
                    f"{len(b.annotations)} items {b.annotation_numbers} (expected 1..{n})"
                )
            empty = [k + 1 for k, text in enumerate(b.annotations) if not text.strip()]
            if empty:
                problems.append(f"{b.where()}: annotation items {empty} have no text")
    fail_if(problems)


def test_fence_language_matches_the_snippet(pages):
    problems = []
    for p in pages:
        for b in p.blocks:
            for inc in b.includes:
                suffix = "." + inc.path.rsplit(".", 1)[-1]
                allowed = docsite.FENCE_LANG_FOR_SUFFIX.get(suffix)
                if allowed is None:
                    problems.append(
                        f"{p.rel}:{inc.line}: snippets/{inc.path}: unknown snippet type"
                    )
                elif b.lang not in allowed:
                    problems.append(
                        f"{b.where()}: fence language {b.lang!r} for snippets/{inc.path} "
                        f"(expected one of {sorted(allowed)})"
                    )
    fail_if(problems)


@pytest.mark.parametrize("snippet", [s for s in docsite.snippet_files() if s.endswith(".sh")])
def test_shell_snippet_is_well_formed(snippet):
    text = (SNIPPETS / snippet).read_text(encoding="utf-8")
    problems = [
        f"snippets/{snippet}:{n}: whitespace after the line-continuation backslash"
        for n, line in enumerate(text.splitlines(), 1)
        if re.search(r"\\[ \t]+$", line)
    ]
    try:
        argv = shlex.split(text.replace("\\\n", " "), comments=True)
    except ValueError as bad:
        problems.append(f"snippets/{snippet}: does not parse as a shell command: {bad}")
        argv = []
    for flag, body in zip(argv, argv[1:], strict=False):
        if flag in {"-d", "--data", "--data-raw", "--json"}:
            try:
                json.loads(body)
            except json.JSONDecodeError as bad:
                problems.append(f"snippets/{snippet}: the JSON body after {flag} is invalid: {bad}")
    fail_if(problems)


# Forms that fail or are deprecated on current releases (see the README's list of guards).
PITFALLS = [
    (re.compile(r"generate\(\s*model_inputs\s*[,)]"), "pass the BatchEncoding as **model_inputs"),
    (
        re.compile(r"generate\(\s*model_inputs\.input_ids"),
        "input_ids alone drops the attention mask",
    ),
    (re.compile(r"device\s*=\s*[\"']cuda[\"']"), "use .to(model.device), not a hard-coded 'cuda'"),
    (re.compile(r"torch_dtype\s*="), "torch_dtype= is deprecated: use dtype="),
]


# Snippets that show the older form on purpose, for versions below the stated range.
LEGACY = {"transformers/load_before_4_56.py": "torch_dtype="}


@pytest.mark.parametrize("snippet", [s for s in docsite.snippet_files() if s.endswith(".py")])
def test_python_snippet_avoids_known_pitfalls(snippet):
    text = (SNIPPETS / snippet).read_text(encoding="utf-8")
    fail_if(
        [
            f"snippets/{snippet}:{n}: {why}"
            for n, line in enumerate(text.splitlines(), 1)
            for pattern, why in PITFALLS
            if pattern.search(line) and LEGACY.get(snippet, "\0") not in line
        ]
    )


def test_headings_have_ascii_anchors(pages):
    fail_if(
        [
            f"{p.rel}:{line}: heading {title!r} has no explicit ASCII anchor {{ #id }}"
            for p in pages
            for line, _, title, anchor in p.headings
            if not anchor
        ]
    )


def test_internal_links_resolve(pages):
    problems = []
    for p in pages:
        for line, target in p.links:
            if re.match(r"^[a-z]+://|^mailto:", target):
                continue
            path, _, anchor = target.partition("#")
            if path:
                name = (p.path.parent / path).resolve().relative_to(DOCS.resolve()).as_posix()
                if not name.endswith(".md"):
                    problems.append(f"{p.rel}:{line}: link {target!r} does not point at a page")
                    continue
                name = name[: -len(".md")]
            else:
                name = p.name
            try:
                dest = docsite.page(name, p.lang)
            except LookupError:
                problems.append(f"{p.rel}:{line}: link {target!r}: no page {name!r} in {p.lang}")
                continue
            if anchor and anchor not in dest.anchors:
                problems.append(
                    f"{p.rel}:{line}: link {target!r}: no anchor #{anchor} in {dest.rel}"
                )
    fail_if(problems)
