"""The Lighthouse tool (harness/tools/lighthouse.py): its Chrome dies with it, and it refuses a
setting that would change a score."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from harness.processes import alive

pytestmark = pytest.mark.timeout(120)


def descendants(pid: int) -> dict[int, str]:
    """The processes below ``pid``, with their command lines."""
    children: dict[int, list[int]] = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().split(")")[-1].split()[1])
        except (OSError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, todo = {}, [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            try:
                with open(f"/proc/{child}/cmdline", "rb") as cmdline:
                    found[child] = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            todo.append(child)
    return found


# What the suite's Lighthouse audits run (harness.tools.lighthouse), for an address that never
# answers (the test holds it, listening, and accepts nothing), and with time to wait for it: the
# launcher is killed as soon as Chrome has started, and Lighthouse would audit on for minutes.
LAUNCHER = textwrap.dedent(
    """
    import sys
    from harness.tools import lighthouse

    url = f"http://127.0.0.1:{sys.argv[1]}/"
    run = {"url": url, "settings": {"maxWaitForFcp": 600_000, "maxWaitForLoad": 600_000}}
    lighthouse.lighthouse([{"flags": lighthouse.FLAGS, "runs": [run]}])
    """
)


@pytest.mark.browser
@pytest.mark.lighthouse
def test_lighthouse_and_its_chrome_die_with_their_launcher():
    """chrome-launcher starts Chrome in a process group of its own, so killing the launcher's
    group would not reach it: Chrome must die with the launcher itself."""
    from harness.browser import CHROMIUM
    from harness.tools.lighthouse import LIGHTHOUSE

    if not os.path.exists(CHROMIUM) or not LIGHTHOUSE.exists():
        pytest.skip(f"needs Chromium at {CHROMIUM} and Lighthouse at {LIGHTHOUSE}: nox -s tests")
    silent = socket.create_server(("127.0.0.1", 0))
    run = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, str(silent.getsockname()[1])],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        below = descendants(run.pid)
        while not any("chrom" in cmdline for cmdline in below.values()):
            assert run.poll() is None, "the launcher ended before Chrome started"
            assert time.monotonic() < deadline, "the launcher never started Chrome"
            time.sleep(0.1)
            below = descendants(run.pid)
        run.kill()  # the launcher only
        run.wait(timeout=10)
        deadline = time.monotonic() + 30  # generous: Chrome may still be starting
        left = below
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            left = {pid: cmdline for pid, cmdline in below.items() if alive(pid)}
        assert not left, f"outlived the audits' launcher: {list(left.values())}"
    finally:
        silent.close()
        for pid in descendants(run.pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.browser  # with the other Lighthouse tests: node imports Lighthouse (seconds)
@pytest.mark.lighthouse
def test_lighthouse_script_refuses_to_skip_an_audit_that_weighs_in_a_score():
    """The suite's audits skip Lighthouse's "baseline" audit (harness.tools.lighthouse): the
    script checks every skipped audit against Lighthouse's own categories before it starts
    Chrome, so a release that gives one a weight stops the run instead of changing a score
    (the suite's own settings go through the same check in tests/test_lighthouse.py)."""
    from harness.tools import lighthouse

    if not lighthouse.LIGHTHOUSE.exists():
        pytest.skip(f"needs Lighthouse at {lighthouse.LIGHTHOUSE}: nox -s tests")
    run = {"url": "http://127.0.0.1:9/", "settings": {"skipAudits": ["color-contrast"]}}
    with pytest.raises(RuntimeError, match='skipAudits: "color-contrast" weighs [0-9]+ in the acc'):
        lighthouse.lighthouse([{"flags": lighthouse.FLAGS, "runs": [run]}])
