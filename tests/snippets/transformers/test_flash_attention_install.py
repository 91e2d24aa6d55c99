import shlex
import subprocess
import sys

import pytest


@pytest.mark.gpu  # it builds flash-attn against CUDA
def test_runs(snippet):
    """`nox -s gpu` installs flash-attn by running this very snippet; here it runs again (already
    satisfied) with the same arguments."""
    cmd = [sys.executable, "-m", *shlex.split(snippet.source())]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, f"{snippet.where()}:\n{done.stdout}\n{done.stderr}"
