"""Test tiers and shared fixtures.

cpu (default): ``Qwen/Qwen2-7B-Instruct`` resolves to the offline stand-in (tests/standin.py).
gpu (``--gpu``): the user's own Hugging Face cache with the real weights, and CUDA.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import standin  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
from docsite import ARTIFACTS  # noqa: E402

GPU_REASON = "gpu tier only (needs CUDA and the real weights): run `nox -s gpu` or pytest --gpu"


def pytest_addoption(parser):
    group = parser.getgroup("docs")
    group.addoption("--gpu", action="store_true", help="run the gpu tier: real weights, CUDA")
    group.addoption(
        "--update-outputs",
        action="store_true",
        help="rewrite snippets/outputs/ from what the snippets print, instead of failing",
    )


def pytest_configure(config):
    config.addinivalue_line("markers", "gpu: needs CUDA and the real Qwen2-7B-Instruct weights")
    config.addinivalue_line("markers", "server: talks to a local OpenAI-compatible server")
    config.addinivalue_line("markers", "browser: drives the built site in headless Chromium")
    config.addinivalue_line("markers", "snippet(*paths): the snippets/ files this test executes")
    if config.getoption("--gpu"):
        os.environ.pop("HF_HUB_OFFLINE", None)
        return
    standin.activate()


def pytest_collection_modifyitems(config, items):
    if config.getoption("--gpu"):
        import torch

        if not torch.cuda.is_available():
            raise pytest.UsageError("--gpu was given but torch sees no CUDA device")
        return
    skip = pytest.mark.skip(reason=GPU_REASON)
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


def pytest_sessionfinish(session, exitstatus):
    """When the whole suite ran, every snippets/ file must have been run or read by a test.

    Snippets that only gpu tests use count as covered when those tests were collected (and
    skipped on CPU with their reason); the summary lists them.
    """
    import runner
    from docsite import snippet_files

    config = session.config
    whole = not config.getoption("keyword") and not config.getoption("markexpr")
    whole = whole and ROOT / "tests" in {Path(a).resolve() for a in config.args}
    if not whole or session.testsfailed or exitstatus != 0:
        return
    declared_gpu = {
        path
        for item in session.items
        if "gpu" in item.keywords
        for mark in item.iter_markers("snippet")
        for path in mark.args
    }
    unused = [s for s in snippet_files() if s not in runner.USED and s not in declared_gpu]
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    gpu_only = sorted(declared_gpu - runner.USED)
    if reporter and gpu_only:
        reporter.write_line(f"snippets run only by the gpu tier: {', '.join(gpu_only)}")
    if unused:
        if reporter:
            reporter.write_line(
                "FAILED: snippets that no test ran or read: " + ", ".join(unused), red=True
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def gpu(request) -> bool:
    return request.config.getoption("--gpu")


@pytest.fixture(scope="session")
def update_outputs(request) -> bool:
    return request.config.getoption("--update-outputs")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The site, built once per session with `mkdocs build --strict`; (folder, build log)."""
    site = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    if done.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}", pytrace=False)
    return site, done.stdout + done.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name: str, argv: list[str], port: int, log: Path):
        self.name, self.argv, self.port, self.log = name, argv, port, log
        self.base_url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None

    def launch(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                self.argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode}:\n{self.tail()}"
                )
            try:
                with urllib.request.urlopen(f"{self.base_url}/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} not healthy after {timeout:.0f} s:\n{self.tail()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def tail(self, chars: int = 6000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def make_server(gpu: bool) -> tuple[Server, float]:
    """cpu tier: `transformers serve` with the stand-in. gpu tier: vLLM, started with the page's
    own `vllm serve` command (vllm lives in its own environment: set VLLM or put it on PATH)."""
    from runner import source

    port = free_port()
    log = ARTIFACTS / "logs" / f"server-{port}.log"
    if gpu:
        vllm = os.environ.get("VLLM") or shutil.which("vllm")
        if not vllm:
            pytest.fail("gpu tier: vllm is not installed (set VLLM=/path/to/vllm)", pytrace=False)
        cmd = source(
            "vllm/serve.sh",
            {
                "vllm serve": vllm + " serve",
                # The transformers tests share the GPU: vLLM must not take 90% of it.
                "Qwen2-7B-Instruct ": f"Qwen2-7B-Instruct --port {port} "
                "--gpu-memory-utilization 0.4 ",
            },
        )
        return Server("vllm serve", ["bash", "-c", cmd], port, log), 900.0
    # The server is test equipment, not a snippet: the oldest-versions session points this at
    # a current transformers, whose `serve` command old releases lack.
    exe = os.environ.get("TRANSFORMERS_SERVE") or Path(sys.executable).with_name("transformers")
    argv = [str(exe), "serve", standin.REPO_ID, "--host", "127.0.0.1", "--port", str(port)]
    return Server("transformers serve", argv + ["--default-seed", "0"], port, log), 120.0


def pytest_collection_finish(session):
    """Start the server as soon as we know a test needs it, so it loads while others run."""
    if any("openai_server" in getattr(item, "fixturenames", ()) for item in session.items):
        server, timeout = make_server(session.config.getoption("--gpu"))
        server.launch()
        session.config.stash[SERVER_KEY] = (server, timeout)


SERVER_KEY = pytest.StashKey[tuple]()


@pytest.fixture(scope="session")
def openai_server(request):
    """A real OpenAI-compatible server on a free loopback port, stopped at the end."""
    server, timeout = request.config.stash[SERVER_KEY]
    try:
        server.wait(timeout)
        yield server
    finally:
        server.stop()


def pytest_unconfigure(config):
    if SERVER_KEY in config.stash:  # the fixture was never used (e.g. every server test failed)
        config.stash[SERVER_KEY][0].stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and "openai_server" in getattr(item, "fixturenames", ()):
        server = item.funcargs.get("openai_server")
        if isinstance(server, Server):
            report.sections.append((f"{server.name} log ({server.log})", server.tail()))
