"""No process the suite starts outlives the run, however the run ends."""

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


def inner_pytest(tmp_path, *args: str) -> list[str]:
    """A pytest run inside a test, with its own --basetemp: pytest ended by Ctrl-C removes its
    stale numbered temporary folders on the way out, which under the shared /tmp/pytest-of-USER
    took seconds."""
    base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    return [*base, "--basetemp", str(tmp_path / "inner"), *args]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_server_dies_with_a_killed_run(tmp_path, sig):
    pidfile = tmp_path / "server.pid"
    test = tmp_path / "test_hang.py"
    test.write_text(RUN.format(pidfile=str(pidfile)))
    run = subprocess.Popen(
        inner_pytest(tmp_path, str(test)),
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


def test_free_ports_are_outside_the_kernels_own_range_and_never_given_twice():
    """The kernel hands out ports in its ephemeral range by itself (to port-0 binds and the local
    end of connections), so a server's port is chosen outside it."""
    from harness.processes import EPHEMERAL_RANGE, free_port

    if not EPHEMERAL_RANGE.exists():
        pytest.skip(f"no {EPHEMERAL_RANGE} (not Linux): free_port takes the kernel's choice")
    low, high = map(int, EPHEMERAL_RANGE.read_text().split())
    if low <= 20000 and high >= 65535:
        pytest.skip(f"the ephemeral range ({low}-{high}) leaves no port: the kernel's choice")
    ports = [free_port() for _ in range(50)]
    assert len(set(ports)) == len(ports), ports
    assert all(not low <= p <= high and p >= 20000 for p in ports), (low, high, ports)
    for port in ports:  # nothing listens there: a server can bind it
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))
