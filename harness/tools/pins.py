"""The newest-releases canary's pins: what is installed against the verified ranges, and the bump.

python -m harness.tools.pins versions    # table of installed vs verified versions
python -m harness.tools.pins newer       # exit 0 if anything is newer than verified
python -m harness.tools.pins bump        # move pins and newest ends in pyproject.toml up
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
from pathlib import Path

from packaging.version import Version

from harness.site import manifest
from harness.site.pages import SITE, Site
from harness.site.paths import ROOT, TEST_EQUIPMENT


def reader_packages() -> list[str]:
    """The packages the pages' install blocks name, and the test equipment beside them."""
    entries = manifest.load(ROOT / "snippets" / "snippets.toml")
    names = [*manifest.reader_requirements(entries, ROOT / "snippets"), *TEST_EQUIPMENT]
    return list(dict.fromkeys(n.split("[")[0] for n in names))


def installed(packages=None) -> dict[str, str]:
    out = {}
    for name in packages or reader_packages():
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


def bump(versions: dict[str, str], root: Path = ROOT) -> list[str]:
    """Move each verified newest end in root/pyproject.toml up to the installed version, where
    newer: the one place it is written (noxfile.py pins the sessions from it)."""
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    verified = Site(root).verified_versions
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
        moved.append(f"{name} {high} -> {new}")
    pyproject.write_text(text, encoding="utf-8")
    return moved


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "versions"
    versions = installed()
    if command == "versions":
        print(versions_table(versions, SITE.verified_versions))
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
