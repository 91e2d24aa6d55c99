"""One preloaded interpreter that the suite's Python processes fork from.

A new interpreter spends about 12 s of CPU importing torch and transformers' model code before it
runs a line of a snippet, and the suite starts several: a kernel per notebook, the standalone
runs, `transformers serve`. The preloaded interpreter pays that once:

    python -m harness.suite.preload --serve SOCKET [MODULE...]  # import, then fork per request
    python -m harness.suite.preload MODULE [ARGS...]    # `python -m MODULE ARGS...`, forked
    python -m harness.suite.preload SCRIPT.py [ARGS...] # `python SCRIPT.py ARGS...`, forked

The second form is the launcher: it imports nothing heavy, hands the preloaded interpreter its
argv, working directory, environment, priority (nice) and standard streams (over the Unix socket
named by PRELOAD_SOCKET), forwards the signals it gets to the child, and exits with the child's
status. The child is a fresh process to what it runs: its own `__main__`, its own names, the
launcher's environment, priority and streams; only modules already imported are shared, as they
would be after the imports in a new interpreter. It dies when its launcher dies, however that
happens. Where no preloaded interpreter answers, the launcher starts a new one instead: the same
run, slower.
"""

from __future__ import annotations

import json
import os
import runpy
import select
import shlex
import signal
import socket
import struct
import sys
import traceback
from pathlib import Path

ENV = "PRELOAD_SOCKET"
# What the suite's processes import first: the snippets' libraries and a Jupyter kernel.
MODULES = (
    "torch",
    "transformers",
    "transformers.models.qwen2.modeling_qwen2",
    "transformers.models.qwen2.tokenization_qwen2",
    "transformers.generation.streamers",
    "accelerate",
    "openai",
    "ipykernel.kernelapp",
    "harness.suite.runner",
)
STATUS = struct.Struct("!i")
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


# -- the preloaded interpreter ----------------------------------------------------------------


def serve(path: str, modules: tuple[str, ...] = MODULES) -> None:
    """Import ``modules``, then fork a child for each launcher that connects to ``path``."""
    import importlib

    # Listening first: a launcher that connects while the imports run waits in the backlog. The
    # socket appears at ``path`` only once it listens (a rename), so a launcher never finds it
    # bound but refusing.
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path + ".new")
    listener.listen(64)
    os.rename(path + ".new", path)
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:  # a session without it (oldest has no serving extras): not preloaded
            pass
    children: dict[int, socket.socket] = {}
    while True:
        ready, _, _ = select.select([listener], [], [], 0.1)
        if ready:
            conn, _ = listener.accept()
            pid = _fork(conn, listener)
            if pid:
                children[pid] = conn
        while children:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if not pid:
                break
            conn = children.pop(pid)
            try:
                conn.sendall(STATUS.pack(os.waitstatus_to_exitcode(status)))
            except OSError:
                pass  # the launcher is gone
            conn.close()


def _fork(conn: socket.socket, listener: socket.socket) -> int:
    message, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
    request = json.loads(message)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        for fd in fds:
            os.close(fd)
        return pid
    listener.close()
    _child(conn, fds, request)  # never returns


def _child(conn: socket.socket, fds: list[int], request: dict) -> None:
    """Become the process the launcher asked for, and run it."""
    import threading

    from harness.processes import die_with_parent, exit_without_teardown

    die_with_parent()  # the preloaded interpreter ends with the test run: so do its children
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.nice(max(0, request.get("nice", 0) - os.nice(0)))  # the launcher's priority, if lower
    os.environ.clear()
    os.environ.update(request["env"])

    def watch() -> None:
        """The launcher's signals arrive as bytes; its end closing means it died: die too."""
        while True:
            data = conn.recv(16)
            if not data:
                os._exit(1)
            for sig in data:
                os.kill(os.getpid(), sig)

    threading.Thread(target=watch, daemon=True, name="preload-launcher").start()
    module, *args = request["argv"]
    sys.argv = [module, *args]
    script = is_script(module)
    # sys.path[0] as `python -m` (the working directory) or `python SCRIPT` (its folder) sets it
    sys.path[0] = os.path.dirname(os.path.abspath(module)) if script else request["cwd"]
    code = 0
    try:
        if script:
            runpy.run_path(module, run_name="__main__")
        else:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = _exit_code(exc.code)
    except BaseException:
        traceback.print_exc()
        code = 1
    # The end of a process, without tearing down every module the preloaded interpreter imported
    exit_without_teardown(code)


def _exit_code(code) -> int:
    """The status `sys.exit(code)` gives a process."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def is_script(name: str) -> bool:
    """Whether the launcher's first argument is a script (`python SCRIPT.py`), not a module."""
    return name.endswith(".py")


# -- the launcher -----------------------------------------------------------------------------


def launch(argv: list[str]) -> int:
    """Run `python -m argv...` (or `python argv...` for a script) forked from the preloaded
    interpreter; exec a new one without."""
    path = os.environ.get(ENV)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        if not path:
            raise OSError
        conn.connect(path)
    except OSError:
        conn.close()
        os.execv(sys.executable, [sys.executable, *([] if is_script(argv[0]) else ["-m"]), *argv])
    request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ), "nice": os.nice(0)}
    socket.send_fds(conn, [json.dumps(request).encode()], [0, 1, 2])

    def forward(sig, _frame):
        conn.sendall(bytes([sig]))

    for sig in FORWARDED:
        signal.signal(sig, forward)
    data = b""
    while len(data) < STATUS.size:
        chunk = conn.recv(STATUS.size - len(data))
        if not chunk:
            print("harness.suite.preload: the preloaded interpreter died", file=sys.stderr)
            return 1
        data += chunk
    (code,) = STATUS.unpack(data)
    if code < 0:  # killed by a signal: die of the same one
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    return code


def python_command(folder: Path) -> Path:
    """A `python` command in ``folder`` for the commands a page tells readers to run: a script
    (`python SCRIPT.py ARGS`) forks from the preloaded interpreter, anything else runs this
    environment's Python. Put ``folder`` first on PATH."""
    real = shlex.quote(sys.executable)
    path = folder / "python"
    path.write_text(
        "#!/bin/sh\n"
        'case "$1" in\n'
        f'  *.py) exec {real} -m harness.suite.preload "$@" ;;\n'
        f'  *) exec {real} "$@" ;;\n'
        "esac\n"
    )
    path.chmod(0o755)
    return path


def main() -> int:
    if len(sys.argv) >= 3 and sys.argv[1] == "--serve":
        serve(sys.argv[2], tuple(sys.argv[3:]) or MODULES)
        return 0
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    return launch(sys.argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
