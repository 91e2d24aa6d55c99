"""Integrity rules over the snippets: each include exists, each snippet is on a page and declared
once, annotation markers match their lists, a fence's language matches its snippet, shell and
Python snippets avoid the pitfalls that have shipped in Qwen docs. Registered in rules.RULES."""

from __future__ import annotations

import json
import re
from pathlib import Path

from harness.site import manifest
from harness.site.pages import FENCE_LANG_FOR_SUFFIX, Site, missing_include_message
from harness.site.paths import ADDRESSES
from harness.site.rules import rule
from harness.site.shell import curl_json_bodies

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


@rule
def every_include_exists(site: Site) -> list[str]:
    problems = []
    for p in site.pages:
        for inc in p.includes:
            path = site.snippets / inc.path
            if not path.is_file():
                problems.append(missing_include_message(site, p.rel, inc.line, inc.path))
            elif inc.section and f"[start:{inc.section}]" not in site.snippet_text(inc.path):
                problems.append(
                    f"{p.rel}:{inc.line}: section {inc.section!r} is not in snippets/{inc.path}"
                )
    return problems


@rule
def every_snippet_is_on_a_page(site: Site) -> list[str]:
    included = {i.path for p in site.pages for i in p.includes}
    return [f"snippets/{s}: no page includes it" for s in site.snippet_files if s not in included]


@rule
def every_snippet_is_declared_once(site: Site) -> list[str]:
    """snippets/snippets.toml has an entry for every code snippet, and a file for every entry;
    every file in outputs/ is some snippet's output."""
    try:
        entries = site.manifest
    except (manifest.ManifestError, ValueError) as bad:
        return [f"snippets/snippets.toml: {bad}"]
    files = set(site.snippet_files)
    outputs = manifest.outputs(entries)
    problems = [
        f"snippets/{s}: not declared in snippets/snippets.toml"
        for s in sorted(files)
        if s not in entries and s not in outputs
    ]
    problems += [
        f"snippets/snippets.toml: [{name!r}] names a file that does not exist"
        for name in entries
        if name not in files
    ]
    problems += [
        f"snippets/snippets.toml: [{e.path!r}] output {e.output!r} does not exist"
        for e in entries.values()
        if e.output and e.output not in files
    ]
    problems += [
        f"snippets/snippets.toml: [{e.path!r}] raises {r.output!r}, which does not exist"
        for e in entries.values()
        for r in e.raises
        if r.output and r.output not in files
    ]
    problems += [
        f"snippets/{s}: no snippet in snippets/snippets.toml declares it as its output"
        for s in sorted(files)
        if s.startswith("outputs/") and s not in outputs
    ]
    return problems


@rule
def annotation_markers_and_lists_match(site: Site) -> list[str]:
    problems = []
    for s in site.snippet_files:
        numbers = []
        for line, num in site.markers(s):
            if not num.isdigit():
                problems.append(f"snippets/{s}:{line}: malformed annotation marker '# ({num})!'")
            else:
                numbers.append(int(num))
        if numbers != list(range(1, len(numbers) + 1)):
            problems.append(
                f"snippets/{s}: markers are {numbers}, expected 1..{len(numbers)} in order"
            )
    for p in site.pages:
        for b in p.blocks:
            if any(not (site.snippets / i.path).is_file() for i in b.includes):
                continue  # every_include_exists names it
            n = len(b.markers)
            if b.annotation_numbers != list(range(1, n + 1)):
                problems.append(
                    f"{b.where()}: the block has {n} annotation markers but the list after it has "
                    f"{len(b.annotations)} items {b.annotation_numbers} (expected 1..{n})"
                )
            problems += [
                f"{p.rel}:{line}: annotation item {k + 1} has no text"
                for k, (line, text) in enumerate(
                    zip(b.annotation_lines, b.annotations, strict=True)
                )
                if not text.strip()
            ]
    return problems


@rule
def fence_language_matches_the_snippet(site: Site) -> list[str]:
    problems = []
    for p in site.pages:
        for b in p.blocks:
            for inc in b.includes:
                file = Path(inc.path)
                allowed = FENCE_LANG_FOR_SUFFIX.get(file.suffix or file.name)
                if allowed is None:
                    problems.append(
                        f"{p.rel}:{inc.line}: snippets/{inc.path}: unknown snippet type"
                    )
                elif b.lang not in allowed:
                    problems.append(
                        f"{b.where()}: fence language {b.lang!r} for snippets/{inc.path} "
                        f"(expected one of {sorted(allowed)})"
                    )
    return problems


@rule
def shell_snippets_are_well_formed(site: Site) -> list[str]:
    problems = []
    for s in site.snippet_files:
        if not s.endswith(".sh"):
            continue
        text = site.snippet_text(s)
        problems += [
            f"snippets/{s}:{n}: whitespace after the line-continuation backslash"
            for n, line in enumerate(text.splitlines(), 1)
            if re.search(r"\\[ \t]+$", line)
        ]
        try:
            bodies = curl_json_bodies(text)
        except ValueError as bad:
            problems.append(f"snippets/{s}: does not parse as a shell command: {bad}")
            continue
        for flag, body in bodies:
            try:
                json.loads(body)
            except json.JSONDecodeError as bad:
                problems.append(f"snippets/{s}: the JSON body after {flag} is invalid: {bad}")
    return problems


@rule
def python_snippets_avoid_known_pitfalls(site: Site) -> list[str]:
    """A snippet declared `legacy` in snippets.toml may show that one outdated form on purpose."""
    try:
        entries = site.manifest
    except (manifest.ManifestError, ValueError):
        entries = {}  # every_snippet_is_declared_once names it
    problems = []
    for s in site.snippet_files:
        if not s.endswith(".py"):
            continue
        legacy = entries[s].legacy if s in entries else None
        text = site.snippet_text(s)
        lines = text.splitlines()
        for pattern, why in PITFALLS:
            # Over the whole text: a call may spread its arguments over several lines.
            for m in pattern.finditer(text):
                n = text.count("\n", 0, m.start()) + 1
                if not (legacy and legacy in lines[n - 1]):
                    problems.append(f"snippets/{s}:{n}: {why}")
    return problems


@rule
def commands_use_declared_addresses(site: Site) -> list[str]:
    """Every address a snippet uses is the page's local server or one declared in
    harness/site/paths.py ADDRESSES: the suite cannot reach those, so a typo shows only here."""
    local = ("http://localhost", "http://127.0.0.1", "http://0.0.0.0")
    problems = []
    for s in (s for s in site.snippet_files if s.endswith((".sh", ".py"))):
        for n, line in enumerate(site.snippet_text(s).splitlines(), 1):
            for url in re.findall(r"https?://[^\s'\"`)]+", line):
                if not url.startswith(local) and url.rstrip("/") not in ADDRESSES.values():
                    problems.append(
                        f"snippets/{s}:{n}: {url} is not an address declared in "
                        "harness/site/paths.py ADDRESSES"
                    )
    return problems
