"""The notebooks in notebooks/ are generated from the pages; nbmake executes them."""

import subprocess
import sys

from docsite import ROOT


def test_notebooks_are_up_to_date():
    done = subprocess.run(
        [sys.executable, str(ROOT / "notebooks" / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
