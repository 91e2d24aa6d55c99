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
    """The audits run in the background (harness.suite.background); chrome-launcher starts
    Chrome in a process group of its own, so killing the launcher's group would not reach it."""
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
        run.kill()  # the launcher only, as Jobs.stop does
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


ENDING = textwrap.dedent(
    """
    import atexit
    from pathlib import Path

    atexit.register(lambda: Path("exit-handler-ran").write_text("yes"))

    class TornDown:
        def __init__(self):  # what __del__ needs, held: teardown clears module globals first
            self.path, self.open = str(Path("torn-down").resolve()), open

        def __del__(self):
            with self.open(self.path, "w") as f:
                f.write("yes")

    KEPT = TornDown()  # collected only by the interpreter's teardown

    def test_fails():
        assert {outcome!r} == "pass"
    """
)


@pytest.mark.parametrize("outcome", ["pass", "fail"])
def test_a_run_exits_with_its_status_after_its_exit_handlers(tmp_path, outcome):
    """The plugin ends a pytest run without the interpreter's teardown: the exit status and every
    exit handler are kept, module teardown (where __del__ of module globals runs) is skipped."""
    (tmp_path / "test_end.py").write_text(ENDING.format(outcome=outcome))
    done = subprocess.run(
        inner_pytest(tmp_path, "-p", "harness.suite.plugin", "test_end.py"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == (0 if outcome == "pass" else 1), done.stdout + done.stderr
    assert ("1 passed" if outcome == "pass" else "1 failed") in done.stdout, done.stdout
    assert (tmp_path / "exit-handler-ran").exists(), "an exit handler did not run"
    assert not (tmp_path / "torn-down").exists(), "the interpreter tore its modules down"


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
