"""A model of the site: its pages, what each includes, annotates, links and nests, and its snippets.

It reads Markdown as Material and pymdownx read it, line by line, without rendering it. A ``Site``
is rooted at a folder holding ``docs/`` and ``snippets/``: the repository, or a scratch copy with a
planted defect (the guard tests).
"""

from __future__ import annotations

import difflib
import tomllib
from functools import cached_property
from pathlib import Path

from harness.site import gpu_record, manifest
from harness.site.markdown import (  # noqa: F401 - the page model, as the rest of the harness reads it
    FENCE_LANG_FOR_SUFFIX,
    LANGS,
    MARKER,
    SUFFIX,
    Block,
    Include,
    Page,
    join_lines,
    lang_of,
    name_of,
    page_url,
    parse_page,
    strip_markers,
)
from harness.site.paths import ROOT


class Site:
    """The pages and snippets under ``root`` (the repository unless told otherwise)."""

    def __init__(self, root: Path = ROOT):
        self.root = Path(root)
        self.docs = self.root / "docs"
        self.snippets = self.root / "snippets"

    @cached_property
    def pages(self) -> tuple[Page, ...]:
        return tuple(parse_page(self, p) for p in sorted(self.docs.rglob("*.md")))

    def page(self, name: str, lang: str) -> Page:
        for p in self.pages:
            if p.name == name and p.lang == lang:
                return p
        raise LookupError(
            f"no page {name!r} in language {lang!r} (looked for docs/{name}{SUFFIX[lang]})"
        )

    @property
    def page_names(self) -> list[str]:
        return sorted({p.name for p in self.pages})

    @cached_property
    def snippet_files(self) -> list[str]:
        return sorted(
            p.relative_to(self.snippets).as_posix()
            for p in self.snippets.rglob("*")
            if p.is_file() and p.name != "snippets.toml"
        )

    def snippet_text(self, snippet: str) -> str:
        return (self.snippets / snippet).read_text(encoding="utf-8")

    def markers(self, snippet: str) -> list[tuple[int, str]]:
        """(line, number-text) for every annotation marker in a snippet."""
        return [
            (n, m["number"])
            for n, line in enumerate(self.snippet_text(snippet).splitlines(), 1)
            for m in MARKER.finditer(line)
        ]

    def including_pages(self, snippet: str) -> list[str]:
        """'docs/chat.md:25' for every place a page includes the snippet."""
        return [f"{p.rel}:{i.line}" for p in self.pages for i in p.includes if i.path == snippet]

    def where(self, snippet: str) -> str:
        """How a failure names a snippet: its file and every page line that includes it."""
        pages = self.including_pages(snippet)
        return f"snippets/{snippet} (included by {', '.join(pages) or 'no page'})"

    def closest_snippet(self, missing: str) -> str | None:
        close = difflib.get_close_matches(missing, self.snippet_files, n=1, cutoff=0.5)
        return close[0] if close else None

    @cached_property
    def manifest(self) -> dict[str, manifest.Snippet]:
        """snippets/snippets.toml, read and checked (manifest.ManifestError names what is wrong)."""
        return manifest.load(self.snippets / "snippets.toml")

    @cached_property
    def gpu_record(self) -> gpu_record.GpuRecord | None:
        """verified/gpu.json: the last recorded gpu-tier run, or None."""
        return gpu_record.read(self.root / gpu_record.RECORD_PATH)

    @cached_property
    def versions(self) -> dict:
        """pyproject.toml's [tool.qwen2-guide]: the one declaration of the versions proven."""
        pyproject = tomllib.loads((self.root / "pyproject.toml").read_text(encoding="utf-8"))
        return pyproject["tool"]["qwen2-guide"]

    @property
    def verified_versions(self) -> dict[str, list[str]]:
        """[lowest, newest] per package that the snippets run with."""
        return self.versions["verified"]

    @property
    def parsed_versions(self) -> dict[str, str]:
        """The release of a package that only reads the pages' commands (vLLM's parser)."""
        return self.versions["parsed"]


def missing_include_message(site: Site, page_rel: str, line: int, snippet: str) -> str:
    """One line: where the broken include is, and the closest snippet that does exist."""
    close = site.closest_snippet(snippet)
    hint = f" (closest: '{close}')" if close else ""
    return f"{page_rel}:{line}: no snippet '{snippet}'{hint}"


SITE = Site()
