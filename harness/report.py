"""The newest-releases canary's report: versions table, issue text, and the pin bump.

    python -m harness.report versions                 # table of installed vs verified versions
    python -m harness.report issue JUNIT_XML          # the issue text for a failing run
    python -m harness.report newer                    # exit 0 if anything is newer than verified
    python -m harness.report bump                     # move pins and newest ends to installed

A failing test names its snippet in the junit XML (the `snippet` fixture records it as a
property); the issue names the snippet's pages and lines with the same mapping as the suite's own
failure messages (Site.where).
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version

from harness.site import ROOT, SITE, Site, verified_versions

# The packages the pages tell readers to install (snippets/transformers/install.sh,
# modelscope_install.sh, `pip install openai`), as the canary installs them: unpinned.
READER_PACKAGES = ["transformers", "torch", "accelerate", "openai", "modelscope"]
ERROR_LINES = 15


@dataclass
class Failure:
    test: str
    snippet: str | None
    message: str
    kind: str = "failure"  # junit's <failure> (the test's verdict) or <error> (setup, teardown)

    def tail(self, lines: int = ERROR_LINES) -> str:
        return "\n".join(self.message.rstrip().splitlines()[-lines:])


def installed(packages=READER_PACKAGES) -> dict[str, str]:
    out = {}
    for name in packages:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def versions_table(versions: dict[str, str], verified: dict[str, list[str]]) -> str:
    rows = ["| Package | Ran with | Verified range | |", "| --- | --- | --- | --- |"]
    for name, version in versions.items():
        span = verified.get(name)
        note = ""
        if span and version != "not installed":
            v = Version(Version(version).base_version)
            if v > Version(span[1]):
                note = "**newer than verified**"
            elif v < Version(span[0]):
                note = "**older than verified**"
        shown = f"{span[0]} to {span[1]}" if span else "not stated"
        rows.append(f"| `{name}` | {version} | {shown} | {note} |")
    return "\n".join(rows)


def newer_than_verified(versions: dict[str, str], verified: dict[str, list[str]]) -> list[str]:
    return [
        name
        for name, v in versions.items()
        if name in verified
        and v != "not installed"
        and Version(Version(v).base_version) > Version(verified[name][1])
    ]


def failures(junit: Path) -> list[Failure]:
    out = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is None:
            continue
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        name = f"{case.get('classname')}::{case.get('name')}"
        text = (problem.get("message") or "") + "\n" + (problem.text or "")
        out.append(Failure(name, props.get("snippet"), text, problem.tag))
    return out


def issue_title(versions: dict[str, str], pages_broken: bool = True) -> str:
    """The same versions give the same title (the workflow comments on the open issue with it);
    whether a page broke or only the suite itself decides the first words."""
    key = ", ".join(f"{n} {v}" for n, v in versions.items() if v != "not installed")
    what = "the docs" if pages_broken else "the test suite, not a page"
    return f"Newest releases break {what}: {key}"


CULPRIT = re.compile(r"snippets/(\S+) \(included by ")


def culprit(f: Failure) -> str | None:
    """The snippet at fault: the one the error names (a test fails when the snippet it continues
    fails), else the one the test exercises."""
    named = CULPRIT.search(f.message)
    return named[1] if named else f.snippet


def on_a_page(f: Failure) -> bool:
    """A failing verdict on a snippet is a page a reader would see break; an error in a fixture
    (setup, teardown) or a failing test of no snippet is the suite itself."""
    return f.kind == "failure" and culprit(f) is not None


def pages_broken(junit: Path) -> bool:
    return any(on_a_page(f) for f in failures(junit))


def issue_text(junit: Path, versions: dict[str, str], site: Site = SITE) -> str:
    """Markdown for the GitHub issue: versions; each failing snippet with its pages and lines,
    the tests that failed on it, and the last lines of its first error; then what failed in the
    suite itself, apart, since no page is at fault there."""
    found = failures(junit)
    groups: dict[str, list[Failure]] = {}
    for f in filter(on_a_page, found):
        groups.setdefault(culprit(f), []).append(f)
    harness = [f for f in found if not on_a_page(f)]
    lines = [
        "The weekly run of `nox -s latest` (the cpu tier with the newest release of every package "
        "the pages tell readers to install) failed.",
        "",
        versions_table(versions, site.verified_versions),
        "",
        f"{len(found)} failing test(s): {len(groups)} snippet(s) on the pages, "
        f"{len(harness)} in the suite itself.",
    ]
    if groups:
        lines += ["", "## Pages", ""]
    for snippet, fails in groups.items():
        tests = ", ".join(f"`{f.test}`" for f in fails)
        lines += ["", f"### {site.where(snippet)}", "", f"Failing tests: {tests}", ""]
        lines += ["```text", fails[0].tail(), "```"]
    if harness:
        lines += [
            "",
            "## The suite itself",
            "",
            "These failed in the harness (a fixture, a server, a check of no snippet), not in a "
            "snippet's verdict: fix the suite for the new releases before judging the pages.",
        ]
    for f in harness:
        lines += ["", f"### `{f.test}` ({f.kind})", "", "```text", f.tail(), "```"]
    return "\n".join(lines) + "\n"


def bump(versions: dict[str, str], pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """Move each verified newest end (and its pin) up to the installed version, where newer."""
    text = pyproject.read_text(encoding="utf-8")
    verified = verified_versions(pyproject.parent)
    moved = []
    for name in newer_than_verified(versions, verified):
        new = Version(versions[name]).base_version
        low, high = verified[name]
        text = re.sub(
            rf'^{re.escape(name)} = \["{re.escape(low)}", "{re.escape(high)}"\]',
            f'{name} = ["{low}", "{new}"]',
            text,
            flags=re.M,
        )
        text = re.sub(
            rf'"{re.escape(name)}(\[[^\]]*\])?=={re.escape(high)}"', rf'"{name}\1=={new}"', text
        )
        moved.append(f"{name} {high} -> {new}")
    pyproject.write_text(text, encoding="utf-8")
    return moved


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "versions"
    versions = installed()
    if command == "versions":
        print(versions_table(versions, SITE.verified_versions))
    elif command == "issue":
        print(issue_title(versions, pages_broken(Path(argv[1]))))
        print()
        print(issue_text(Path(argv[1]), versions))
    elif command == "newer":
        newer = newer_than_verified(versions, SITE.verified_versions)
        print(", ".join(newer) or "nothing newer than verified")
        return 0 if newer else 1
    elif command == "bump":
        print("\n".join(bump(versions)) or "nothing to move")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
