"""The newest-releases canary's issue text, from a failing run's junit XML.

    python -m harness.tools.report JUNIT_XML      # the issue's title, a blank line, its text

A test names the snippet it exercises in the junit XML (the `snippet` fixture records it as a
property), and a failure in a snippet records the snippet at fault (`snippet_at_fault`, from the
SnippetError, by the plugin); the issue names the snippet's pages and lines with the same mapping
as the suite's own failure messages (Site.where). The versions table is harness/tools/pins.py's.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from harness.site.pages import SITE, Site
from harness.tools.pins import installed, versions_table

ERROR_LINES = 15


@dataclass
class Failure:
    test: str
    snippet: str | None  # the snippet the test exercises
    message: str
    kind: str = "failure"  # junit's <failure> (the test's verdict) or <error> (setup, teardown)
    at_fault: str | None = None  # the snippet that failed (a test fails with its predecessor)

    def tail(self, lines: int = ERROR_LINES) -> str:
        return "\n".join(self.message.rstrip().splitlines()[-lines:])


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
        failure = Failure(name, props.get("snippet"), text, problem.tag)
        failure.at_fault = props.get("snippet_at_fault")
        out.append(failure)
    return out


def issue_title(versions: dict[str, str], pages_broken: bool = True) -> str:
    """The same versions give the same title (the workflow comments on the open issue with it);
    whether a page broke or only the suite itself decides the first words."""
    key = ", ".join(f"{n} {v}" for n, v in versions.items() if v != "not installed")
    what = "the docs" if pages_broken else "the test suite, not a page"
    return f"Newest releases break {what}: {key}"


def culprit(f: Failure) -> str | None:
    """The snippet at fault: the one whose run failed, else the one the test exercises."""
    return f.at_fault or f.snippet


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


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    junit, versions = Path(argv[0]), installed()
    print(issue_title(versions, pages_broken(junit)))
    print()
    print(issue_text(junit, versions))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
