"""A fresh clone to green, timed for the benchmark (harness/tools/bench.py): `git clone` of this
checkout, then `CI=true bash .ci/run`, idle or while busy loops hold cores."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from harness.processes import die_with_parent
from harness.site.paths import ROOT

PY = sys.executable


def clean_env() -> dict[str, str]:
    """This environment without the nox session's own variables, for a nox started from here."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("NOX", "VIRTUAL_ENV"))}


# A busy loop that holds one core, and ends by itself after its deadline (seconds) at the latest.
BUSY = "import time\nend = time.monotonic() + {0}\nwhile time.monotonic() < end: pass\n"


@contextlib.contextmanager
def busy_cores(count: int, limit: float = 3600.0):
    """``count`` busy loops beside what runs inside: each ends after ``limit`` seconds anyway,
    is killed when the block ends, and dies with this process."""
    loops = [
        subprocess.Popen([PY, "-c", BUSY.format(limit)], preexec_fn=die_with_parent)
        for _ in range(count)
    ]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()


def times(tmp: Path, runs: int, busy: int = 0) -> list[float]:
    """`git clone` of this checkout, then `CI=true bash .ci/run`, timed; with ``busy``, while that
    many busy loops hold cores. A red run stops the benchmark."""
    times = []
    for n in range(runs):
        clone = tmp / f"clone-{n}"
        with busy_cores(busy):
            start = time.perf_counter()
            subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
            env = {**clean_env(), "CI": "true"}
            done = subprocess.run(["bash", ".ci/run"], cwd=clone, env=env)
            times.append(time.perf_counter() - start)
        shutil.rmtree(clone, ignore_errors=True)
        if done.returncode:
            raise SystemExit(f"fresh clone ({busy} cores busy): .ci/run failed ({done.returncode})")
    return times
