from __future__ import annotations

import shlex
import subprocess
import sys

import pytest


@pytest.fixture
def shell_then_python():
    """Run a snippet, then a new interpreter running ``code``, in one shell."""

    def run(snippet_text: str, code: str, env: dict | None = None):
        script = f"{snippet_text}\n{shlex.quote(sys.executable)} -c {shlex.quote(code)}"
        argv = ["bash", "-ec", script]
        return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)

    return run
