"""The integrity checks catch the defects that have shipped in Qwen docs before.

Each case plants one defect in a scratch copy of docs/ and snippets/, runs test_integrity.py on
the copy, and expects it to fail with a message naming the page or snippet at fault.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from docsite import ROOT

pytestmark = pytest.mark.timeout(120)


def edit(path: str, old: str, new: str):
    def plant(root: Path) -> None:
        file = root / path
        text = file.read_text(encoding="utf-8")
        assert old in text, f"{path} no longer contains {old!r}: update this guard"
        file.write_text(text.replace(old, new, 1), encoding="utf-8")

    return plant


def delete(path: str):
    return lambda root: (root / path).unlink()


CASES = {
    "inline code block": (
        edit("docs/chat.md", "## Next steps", "```python\nprint('untested')\n```\n\n## Next steps"),
        "docs/chat.md",
    ),
    "missing Chinese annotation item": (
        edit("docs/chat.zh.md", "        10. 解码回答，并去掉特殊 token。\n", ""),
        "docs/chat.zh.md",
    ),
    "malformed marker": (
        edit("snippets/transformers/generate.py", "# (10)!", "# ()!"),
        "snippets/transformers/generate.py",
    ),
    "space after backslash": (
        edit("snippets/vllm/chat_completions.sh", "completions \\\n", "completions \\ \n"),
        "snippets/vllm/chat_completions.sh",
    ),
    "trailing comma in JSON": (
        edit("snippets/vllm/chat_completions.sh", 'models."}\n    ]', 'models."},\n    ]'),
        "snippets/vllm/chat_completions.sh",
    ),
    "python snippet in a bash fence": (
        edit(
            "docs/quickstart.md",
            '```python\n        --8<-- "vllm/openai_client.py"',
            '```bash\n        --8<-- "vllm/openai_client.py"',
        ),
        "docs/quickstart.md",
    ),
    "missing Chinese page": (delete("docs/chat.zh.md"), "docs/chat.zh.md"),
    "broken anchor": (
        edit("docs/quickstart.md", "(chat.md#streaming)", "(chat.md#streamin)"),
        "docs/quickstart.md",
    ),
    "deprecated torch_dtype": (
        edit("snippets/transformers/flash_attention.py", "dtype=", "torch_dtype="),
        "snippets/transformers/flash_attention.py",
    ),
    "missing snippet": (
        delete("snippets/transformers/print_prompt.py"),
        "snippets/transformers/print_prompt.py",
    ),
}


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory):
    """The checks pass on an untouched copy, so a failure below comes from the planted defect."""
    copy = tmp_path_factory.mktemp("clean")
    return check(copy)


def check(copy: Path, plant=None) -> subprocess.CompletedProcess:
    for part in ("docs", "snippets"):
        shutil.copytree(ROOT / part, copy / part)
    if plant:
        plant(copy)
    cmd = [sys.executable, "-m", "pytest", str(ROOT / "tests" / "test_integrity.py")]
    cmd += ["--noconftest", "-q", "-p", "no:cacheprovider", "--rootdir", str(ROOT)]
    # Plain pytest (no plugins, no addopts) starts in a third of the time; these checks need none.
    cmd += ["-o", "addopts=", "-W", "ignore::pytest.PytestUnknownMarkWarning"]
    env = {**os.environ, "DOCS_ROOT": str(copy), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=100)


def test_checks_pass_on_a_clean_copy(clean_run):
    assert clean_run.returncode == 0, clean_run.stdout


@pytest.mark.parametrize("case", CASES)
def test_planted_defect_fails_with_its_location(case, tmp_path, clean_run):
    plant, culprit = CASES[case]
    done = check(tmp_path, plant)
    assert done.returncode == 1, f"{case}: the integrity checks passed\n{done.stdout}"
    assert culprit in done.stdout, f"{case}: no message names {culprit}\n{done.stdout}"
