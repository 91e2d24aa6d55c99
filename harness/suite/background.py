"""The work the suite starts in the background, so that it runs while other tests do: the
preloaded interpreter (harness/suite/preload.py), the chat server, the standalone runs, the
Lighthouse audits, the strict site build, the ``early`` fixtures (slow setup that runs other
programs: the llama.cpp and MLX pages' commands) and the notebooks. All of it is held in one
``Jobs`` per session (``jobs(config)``) and stopped by ``Jobs.stop``; every process dies with the
run.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from harness.model.facts import ARTIFACTS, MODEL_ID, ROOT
from harness.model.manifest import Snippet
from harness.processes import Server, build_site, die_with_parent, free_port, spawn
from harness.suite import preload
from harness.suite.runner import Runner, adapt

LOGS = ARTIFACTS / "logs"
LIGHTHOUSE_JSON = ARTIFACTS / "lighthouse.json"
LIGHTHOUSE_LOG = LOGS / "lighthouse.log"
# How much lower than the tests' the priority of work that no test waits for yet is (nice). Mild:
# on a machine busy with other work at the usual priority, lower-priority work gets a smaller share
# of the CPU than that work does (at 10 it got about a tenth of what it gets at 0).
NICE = 5
# `python -m` through the preloaded interpreter: the imports are paid once.
PYTHON_M = [sys.executable, "-m", "harness.suite.preload"]


@dataclass
class Jobs:
    """What one test session started in the background; None where it started nothing."""

    runner: Runner
    gpu: bool
    standin: bool  # the model is the stand-in (cpu tier, or --gpu --standin)
    preloaded: subprocess.Popen | None = None
    server: Server | None = None
    standalone: subprocess.Popen | None = None
    lighthouse: subprocess.Popen | None = None
    site_build: tuple[Path, int, Future] | None = None  # (folder, port, `mkdocs build`)
    snippet_of: dict[str, str] = field(default_factory=dict)  # test id -> the snippet it marks
    # snippet -> (test id, outcome, reason) of each of its tests: the gpu tier's record
    outcomes: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    cleanups: list = field(default_factory=list)
    early: dict[str, Future] = field(default_factory=dict)  # early fixture -> its work
    pool: ThreadPoolExecutor | None = None  # the threads the early work runs in
    notebooks: ThreadPoolExecutor | None = None  # the thread the notebooks run in

    def scratch(self, prefix: str) -> Path:
        """A scratch folder, removed when the session ends."""
        folder = Path(tempfile.mkdtemp(prefix=prefix))
        self.cleanups.append(lambda: shutil.rmtree(folder, ignore_errors=True))
        return folder

    def stop(self) -> None:
        for pool in (self.pool, self.notebooks):  # work no test waited for (-x) is let finish
            if pool:
                pool.shutdown(wait=True, cancel_futures=True)
        if self.server:  # also when no test used it
            self.server.stop()
        for proc in (self.standalone, self.lighthouse, self.preloaded):
            if proc and proc.poll() is None:
                proc.kill()
                proc.wait()
        for cleanup in reversed(self.cleanups):
            cleanup()


JOBS = pytest.StashKey[Jobs]()


def jobs(config) -> Jobs:
    return config.stash[JOBS]


def vllm_missing(j: Jobs) -> bool:
    return j.gpu and not (os.environ.get("VLLM") or shutil.which("vllm"))


def start_preloaded(j: Jobs) -> None:
    """The interpreter that notebook kernels, the standalone runs and `transformers serve` fork
    from, and a Jupyter kernel spec ("python3", as the notebooks name it) that forks from it."""
    folder = j.scratch("preload-")
    sock = folder / "socket"
    j.preloaded = spawn([*PYTHON_M, "--serve", str(sock)], LOGS / "preload.log")
    kernel = folder / "kernels" / "python3"
    kernel.mkdir(parents=True)
    # The kernels' own output (their banner and warnings; what cells print goes to the notebook)
    # to a log: a kernel starts in the background, during whichever test pytest is capturing.
    log = LOGS / "kernels.log"  # LOGS exists: spawn made it for preload.log
    log.write_bytes(b"")
    # No IPython history: the cells are the suite's, not the user's (~/.ipython), and saving it
    # is a SQLite commit (an fsync) at each kernel's exit.
    kernel_argv = [*PYTHON_M, "ipykernel_launcher", "--HistoryManager.enabled=False"]
    launch = " ".join(map(shlex.quote, kernel_argv))
    spec = {
        "argv": ["bash", "-c", f'exec {launch} -f "$1" >>{shlex.quote(str(log))} 2>&1', "kernel"]
        + ["{connection_file}"],
        "display_name": "Python 3 (preloaded)",
        "language": "python",
        "metadata": {"debugger": False},
    }
    (kernel / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    os.environ[preload.ENV] = str(sock)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(folder), *filter(None, [os.environ.get("JUPYTER_PATH")])]
    )


def chat_server(j: Jobs) -> Server:
    """cpu tier: `transformers serve` with the stand-in. gpu tier: vLLM, started with the page's
    own `vllm serve ... --host 127.0.0.1` command (vllm lives in its own environment: set VLLM or
    put it on PATH)."""
    port = free_port()
    log = LOGS / f"server-{port}.log"
    if j.gpu:
        vllm = os.environ.get("VLLM") or shutil.which("vllm")
        cmd = adapt(
            j.runner.site,
            "vllm/serve_local.sh",
            {
                "vllm serve": "exec " + vllm + " serve",
                # The transformers tests share the GPU: vLLM must not take 90% of it.
                "127.0.0.1": f"127.0.0.1 --port {port} --gpu-memory-utilization 0.4",
            },
        )
        return Server("vllm serve", ["bash", "-c", cmd], port, log, 900.0)
    # The server is test equipment, not a snippet: the oldest-versions session points this at
    # a current transformers, whose `serve` command old releases lack.
    exe = os.environ.get("TRANSFORMERS_SERVE")
    cli = [exe] if exe else [*PYTHON_M, "transformers.cli.transformers"]
    argv = [*cli, "serve", MODEL_ID, "--host", "127.0.0.1", "--port", str(port)]
    return Server("transformers serve", argv + ["--default-seed", "0"], port, log, 300.0)


def standalone_snippets(entries: dict[str, Snippet]) -> list[str]:
    """Python snippets that declare no predecessor: each must run alone. Those that load the
    model come first, so the server has time to start before the ones that need it."""
    names = [n for n, e in entries.items() if e.is_python and not e.continues and e.tier == "any"]
    return sorted(names, key=lambda n: entries[n].server)


def start_standalone(j: Jobs) -> None:
    """harness.suite.standalone over every standalone snippet, its report read by the
    standalone_report fixture."""
    entries = j.runner.entries
    names = standalone_snippets(entries)
    if j.gpu and not j.standin:
        # With the real weights every fresh load takes minutes: the servers' clients only.
        names = [n for n in names if entries[n].server]
    argv = ["nice", "-n", str(NICE), *PYTHON_M, "harness.suite.standalone", *names]
    if j.server:
        argv += ["--server", j.server.base_url, "--server-timeout", str(j.server.timeout)]
    LOGS.mkdir(parents=True, exist_ok=True)
    with open(LOGS / "standalone.log", "wb") as err:
        j.standalone = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            cwd=ROOT,
            preexec_fn=die_with_parent,
        )


def start_lighthouse(j: Jobs) -> None:
    """The Lighthouse audits (harness.tools.lighthouse), in the background: most of their time is
    Chromium waiting for the page to settle, which the other tests fill."""
    LIGHTHOUSE_JSON.unlink(missing_ok=True)
    argv = [sys.executable, "-m", "harness.tools.lighthouse", "audits", "--planted"]
    j.lighthouse = spawn([*argv, "--json", str(LIGHTHOUSE_JSON)], LIGHTHOUSE_LOG)


def start_site_build(j: Jobs) -> None:
    """`mkdocs build --strict` in a thread (it is a subprocess: the tests go on meanwhile), into
    a scratch folder removed at the end, for a free loopback port."""
    site = j.scratch("site-")
    port = free_port()
    pool = ThreadPoolExecutor(1)
    j.cleanups.append(pool.shutdown)
    j.site_build = (site, port, pool.submit(build_site, site, f"http://127.0.0.1:{port}/"))


# -- early fixtures ---------------------------------------------------------------------------

EARLY: dict[str, Callable[[Jobs], object]] = {}


def early(work: Callable[[Jobs], object]):
    """A session fixture named after ``work``, whose work starts in a thread as soon as collection
    ends when a collected test uses it, and runs while the tests before that one do; the fixture
    waits for its result (an exception ``work`` raises is raised there). For setup that mostly
    waits on other programs (the page's commands), which the other core runs meanwhile.

    ``work(j)`` runs before its test: it runs snippets with ``claim=False`` (its test claims
    them when it reads the result), makes folders with ``j.scratch``, and starts no process that
    must outlive it (the suite's servers die with the thread that started them, by
    PR_SET_PDEATHSIG: start them in the test's fixture)."""
    EARLY[work.__name__] = work

    @pytest.fixture(scope="session", name=work.__name__)
    def fixture(request):
        j = jobs(request.config)
        start_early(j, {work.__name__})
        return j.early[work.__name__].result()

    fixture.__doc__ = work.__doc__
    return fixture


def lower_priority() -> None:
    """Make the calling thread, and the processes it starts, yield the CPU to the test process:
    the tests wait for their own work first, and the early work fills the time they leave (on
    Linux the nice value is per thread and children inherit it)."""
    os.nice(NICE)


def start_early(j: Jobs, names: set[str]) -> None:
    """Start the early fixtures among ``names`` not yet started."""
    for name in sorted(names & EARLY.keys() - j.early.keys()):
        if j.pool is None:
            j.pool = ThreadPoolExecutor(
                max_workers=4, thread_name_prefix="early", initializer=lower_priority
            )
        j.early[name] = j.pool.submit(EARLY[name], j)


def start_notebooks(j: Jobs, items: list) -> None:
    """nbmake's notebook items run in one thread from the end of collection, one after another,
    at the early work's priority; each item, when its turn comes, waits for its own run and
    raises what it raised (nbmake's failure report is unchanged). Their kernels fork from the
    preloaded interpreter, so they need nothing the test process has."""
    if not items:
        return
    if j.notebooks is None:
        j.notebooks = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="notebooks", initializer=lower_priority
        )
    for item in items:
        item.runtest = j.notebooks.submit(_closing_event_loop, item.runtest).result


def _closing_event_loop(run: Callable[[], None]) -> None:
    """``run()``, then close the event loop that nbclient made for this thread (left open, it
    warns when the thread ends: an error in this suite)."""
    import asyncio

    try:
        run()
    finally:
        try:
            loop = asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:  # none was made
            loop = None
        if loop is not None:
            loop.close()
            asyncio.set_event_loop(None)
