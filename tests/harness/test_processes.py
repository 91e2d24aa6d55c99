"""No process the suite starts outlives the run, however the run ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.timeout(120)

# A test run that starts a server the way the plugin does (harness.processes.Server), writes the
# server's pid, and then hangs until it is killed.
RUN = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from harness.processes import Server, free_port

    def test_hangs_with_a_server(tmp_path):
        port = free_port()
        argv = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
        server = Server("http.server", argv, port, tmp_path / "log", 30).launch()
        Path({pidfile!r}).write_text(str(server.proc.pid))
        time.sleep(300)
    """
)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by init) counts as dead.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_server_dies_with_a_killed_run(tmp_path, sig):
    pidfile = tmp_path / "server.pid"
    test = tmp_path / "test_hang.py"
    test.write_text(RUN.format(pidfile=str(pidfile)))
    run = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        # As in a terminal: a shell starts background jobs with SIGINT ignored, and a child
        # that inherits that never sees the Ctrl-C this test sends.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 60
        while not pidfile.exists() or not pidfile.read_text():
            assert time.monotonic() < deadline, "the inner run never started its server"
            time.sleep(0.1)
        server = int(pidfile.read_text())
        assert alive(server)
        os.kill(run.pid, sig)  # the pytest process only, as `timeout` or a CI runner does
        run.wait(timeout=60)
        deadline = time.monotonic() + 10
        while alive(server) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(server), f"the server outlived a run ended by {sig.name}"
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
