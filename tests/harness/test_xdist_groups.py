"""pytest-xdist's --dist loadgroup keeps a group on one worker, as the plugin relies on (a topic's
checks share the session fixtures that start the chat server and run llama.cpp's and MLX's
conversions once). pytest 9.2 broke it silently (pytest-xdist #1386); this run shows it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.timeout(120)

MODULE = textwrap.dedent(
    """
    import os
    from pathlib import Path

    import pytest

    @pytest.mark.xdist_group("one")
    @pytest.mark.parametrize("i", range(4))
    def test_where(i):
        worker = os.environ["PYTEST_XDIST_WORKER"]
        (Path(os.environ["WHERE"]) / f"{__name__}-{i}-{worker}").touch()
    """
)


def test_a_group_runs_on_one_worker(tmp_path):
    tests, where = tmp_path / "tests", tmp_path / "where"
    tests.mkdir(), where.mkdir()
    for name in ("test_a.py", "test_b.py"):
        (tests / name).write_text(MODULE)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "2"]
        + ["--dist", "loadgroup", "-c", "/dev/null", "--rootdir", str(tests), str(tests)],
        capture_output=True,
        text=True,
        timeout=100,
        env={**os.environ, "WHERE": str(where)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    ran = [p.name for p in where.iterdir()]
    assert len(ran) == 8, ran
    workers = {name.rsplit("-", 1)[1] for name in ran}
    assert len(workers) == 1, f"one group ran on {sorted(workers)}: {sorted(ran)}"
