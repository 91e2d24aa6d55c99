"""The versions the pages state (pyproject.toml [tool.qwen2-guide.verified]) are the ones tested."""

from __future__ import annotations

import importlib.metadata
import re
import shlex

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from harness.site.pages import SITE
from harness.site.paths import ROOT

SNIPPETS = SITE.snippets
VERIFIED = SITE.verified_versions


@pytest.mark.parametrize("package", sorted(VERIFIED))
def test_installed_version_is_in_the_stated_range(package):
    low, high = (Version(v) for v in VERIFIED[package])
    installed = Version(Version(importlib.metadata.version(package)).base_version)
    assert low <= installed <= high, (
        f"{package} {installed} is outside the range the pages state ({low} to {high}): "
        "update [tool.qwen2-guide.verified] in pyproject.toml after testing both ends"
    )


INSTALLS = [
    name
    for name in SITE.manifest
    if name.endswith("install.sh") and "transformers" in (SNIPPETS / name).read_text()
]


@pytest.mark.parametrize("install", INSTALLS)
def test_install_command_states_the_lowest_transformers(install):
    line = (SNIPPETS / install).read_text(encoding="utf-8")
    reqs = {r.name: r for r in map(Requirement, shlex.split(line)[2:])}
    (spec,) = reqs["transformers"].specifier
    assert (spec.operator, Version(spec.version)) == (">=", Version(VERIFIED["transformers"][0]))


@pytest.mark.parametrize("package", ["transformers", "openai"])
def test_pages_state_the_lowest_version(package):
    """Where a page says "version X or newer" in prose, X is the verified lowest version."""
    low = Version(VERIFIED[package][0])
    stated = []
    for page in (ROOT / "docs").glob("*.md"):
        text = page.read_text(encoding="utf-8")
        for m in re.finditer(
            rf"`{package}`[^.\n]*?(\d+\.\d+(?:\.\d+)?) (?:or newer|或更高|及以上)", text
        ):
            stated.append((page.name, Version(m[1])))
        for m in re.finditer(rf"pip install {package}`，(\d+\.\d+(?:\.\d+)?) 及以上", text):
            stated.append((page.name, Version(m[1])))
        for m in re.finditer(
            rf"pip install {package}`, version (\d+\.\d+(?:\.\d+)?) or newer", text
        ):
            stated.append((page.name, Version(m[1])))
    assert stated, f"no page states the lowest {package} version"
    wrong = [f"{name}: {v}" for name, v in stated if v != low]
    assert not wrong, f"pages state other lowest {package} versions than {low}: {wrong}"
