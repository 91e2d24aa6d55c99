"""The preloaded interpreter (harness/suite/preload.py): a forked child is the process its launcher
asked for, with the launcher's arguments, directory, environment, priority, streams and exit
status, and it dies with its launcher however the launcher ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from harness.processes import alive, die_with_parent
from harness.suite import preload

pytestmark = pytest.mark.timeout(120)
CHILD = """
import os, sys, time
print("args", sys.argv[1:], "cwd", os.getcwd(), "env", os.environ.get("MARK"), "nice", os.nice(0),
      "pid", os.getpid())
sys.stdout.flush()
print("to stderr", file=sys.stderr)
if sys.argv[1] == "sleep":
    time.sleep(300)
sys.exit(int(sys.argv[1]))
"""


@pytest.fixture
def preloaded(tmp_path):
    """A preloaded interpreter that imports only json (fast); yields the launcher's env."""
    sock = tmp_path / "socket"
    (tmp_path / "childmod.py").write_text(CHILD)
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.suite.preload", "--serve", str(sock), "json"],
        preexec_fn=die_with_parent,
    )
    deadline = time.monotonic() + 120  # generous: on a loaded machine Python starts slowly
    while not sock.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the preloaded interpreter never listened (exit {proc.poll()})")
        time.sleep(0.05)
    env = {**os.environ, preload.ENV: str(sock), "MARK": "from-the-launcher"}
    yield env, proc
    proc.kill()
    proc.wait()


def launch(env, cwd, *args, nice=0, **kw):
    return subprocess.Popen(
        ["nice", "-n", str(nice), sys.executable, "-m", "harness.suite.preload", "childmod", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def test_child_is_the_process_its_launcher_asked_for(preloaded, tmp_path):
    env, server = preloaded
    with launch(env, tmp_path, "7", "x y") as run:
        out, err = run.communicate(timeout=60)
    assert run.returncode == 7, (out, err)
    assert f"args ['7', 'x y'] cwd {tmp_path} env from-the-launcher nice 0 pid" in out
    assert "to stderr" in err
    assert int(out.split("pid ")[1]) != run.pid, "it ran in the launcher, not forked from"


def test_child_runs_at_its_launchers_priority(preloaded, tmp_path):
    """Work the suite starts at a lower priority (background.NICE) stays there when forked."""
    env, _ = preloaded
    with launch(env, tmp_path, "0", nice=7) as run:
        out, err = run.communicate(timeout=60)
    assert run.returncode == 0 and "nice 7" in out, (out, err)


def test_without_a_preloaded_interpreter_it_starts_a_new_one(tmp_path):
    (tmp_path / "childmod.py").write_text(CHILD)
    env = {k: v for k, v in os.environ.items() if k != preload.ENV} | {"MARK": "m"}
    with launch(env, tmp_path, "3") as run:
        out, _ = run.communicate(timeout=60)
    assert run.returncode == 3 and "env m" in out


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_child_dies_with_its_launcher(preloaded, tmp_path, sig):
    """SIGTERM is forwarded to the child; SIGKILL cannot be, and the child sees its launcher's
    end of the socket close."""
    env, _ = preloaded
    with launch(env, tmp_path, "sleep") as run:
        child = int(run.stdout.readline().split("pid ")[1])
        os.kill(run.pid, sig)
        run.communicate(timeout=30)
    deadline = time.monotonic() + 60
    while alive(child):  # a zombie waiting for the preloaded interpreter to reap it has ended
        if time.monotonic() > deadline:
            pytest.fail(f"the child {child} outlived its launcher (signal {sig})")
        time.sleep(0.1)


def test_a_script_runs_as_python_runs_it(preloaded, tmp_path):
    """`python SCRIPT.py ARGS`, through the `python` command that python_command writes: forked,
    with the script as __main__, its path as __file__ and its folder first on sys.path."""
    env, server = preloaded
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "helper.py").write_text("NAME = 'beside the script'\n")
    (scripts / "tool.py").write_text(
        "import os, sys, helper\n"
        "print(__name__, os.path.basename(__file__), sys.argv, helper.NAME, os.getppid())\n"
        "sys.exit(4)\n"
    )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python = preload.python_command(bin_dir)
    env = {**env, "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}"}
    run = subprocess.Popen(
        ["bash", "-c", "python scripts/tool.py a 'b c'; echo status $?; python -c 'print(6*7)'"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
    )
    out, _ = run.communicate(timeout=60)
    assert python == bin_dir / "python"
    first, status, other = out.splitlines()
    assert first.startswith("__main__ tool.py ['scripts/tool.py', 'a', 'b c'] beside the script")
    assert int(first.split()[-1]) == server.pid, "not forked from the preloaded interpreter"
    assert (status, other) == ("status 4", "42")
