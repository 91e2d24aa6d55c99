"""The suite's fixtures (loaded by harness/suite/plugin.py): the snippet a mirror test checks and
its run, the runner, the chat server, the built and served site, and the Lighthouse audits. What
starts a process is a session fixture that starts it on first use and stops it at the end."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.processes import Server, build_site, free_port, static_site
from harness.qwen2.facts import MODEL_ID
from harness.site.manifest import Raises
from harness.site.pages import SITE
from harness.site.paths import ARTIFACTS, PAGE_SERVER_URL
from harness.suite.runner import Run, Runner, SnippetError, adapt

LOGS = ARTIFACTS / "logs"
LIGHTHOUSE_JSON = ARTIFACTS / "lighthouse.json"
SERVER = pytest.StashKey[Server]()


def runner_of(config) -> Runner:
    from harness.suite.plugin import RUNNER

    return config.stash[RUNNER]


@pytest.fixture(scope="session")
def runner(request) -> Runner:
    return runner_of(request.config)


@pytest.fixture(scope="session")
def gpu(runner) -> bool:
    return runner.tier == "gpu"


@pytest.fixture(scope="session")
def on_standin(request) -> bool:
    """True where Qwen/Qwen2-7B-Instruct is the stand-in (cpu tier, or --gpu --standin)."""
    return not request.config.getoption("--gpu") or request.config.getoption("--standin")


# -- the snippet a mirror test checks ----------------------------------------------------------


class BoundSnippet:
    """The snippet a test module mirrors: read it, run it, compare what it prints."""

    def __init__(self, runner: Runner, name: str, server: str | None):
        self.runner, self.name, self.server = runner, name, server
        self.entry = runner.entry(name)

    def source(self, replace=None) -> str:
        return self.runner.source(self.name, replace)

    def run(self, replace=None, **kw) -> Run:
        """A new run (``replace``: adaptations, ``seed``), after what it continues."""
        return self.runner.run(self.name, {**address(self.server), **(replace or {})}, **kw)

    def shell(self, replace=None, **kw) -> Run:
        return self.runner.shell(self.name, {**address(self.server), **(replace or {})}, **kw)

    def where(self) -> str:
        return self.runner.where(self.name)


@pytest.fixture
def snippet(request, runner, record_property) -> BoundSnippet:
    """The snippet this test module mirrors (tests/snippets/x/test_y.py: snippets/x/y.*)."""
    from harness.suite.plugin import mirrored_snippet

    name = mirrored_snippet(Path(str(request.path)))
    if name is None:
        pytest.fail(f"{request.path}: the snippet fixture is for tests/snippets/", pytrace=False)
    record_property("snippet", name)  # junit XML: harness/tools/report.py reads it
    server = None
    if runner.entry(name).server:
        server = request.getfixturevalue("chat_server").base_url
    return BoundSnippet(runner, name, server)


@pytest.fixture
def run(snippet) -> Run:
    """The session's one run of the mirrored snippet: the run its manifest items check."""
    return run_snippet(snippet.runner, snippet.name, snippet.server)


def address(server: str | None) -> dict[str, str]:
    """The page's server address replaced by the test server's, for a server snippet."""
    return {PAGE_SERVER_URL: server} if server else {}


def run_snippet(runner: Runner, name: str, server: str | None) -> Run:
    """The snippet's session run, with the test server's address."""
    try:
        return runner.result(name, address(server))
    except SnippetError as error:
        if isinstance(error.__cause__, NameError) and not runner.entry(name).continues:
            raise SnippetError(
                f"{error}\n  it continues no snippet, so it runs alone and uses a name it does "
                "not define: declare the snippet it continues in snippets/snippets.toml",
                name,
            ) from error.__cause__
        raise


def expect_raise(runner: Runner, name: str, error: Raises, gpu: bool, server: str | None):
    """The snippet raises what the page quotes: on the cpu tier, in this process (with the newest
    verified transformers word for word, else the same exception); under an older release, run
    as a script in that release's environment (`nox -s oldest` makes them: SIDE_PYTHONS)."""
    shown = SITE.snippet_text(error.output).strip() if error.output else None
    if error.under:
        return raise_under(runner, name, error, shown)
    if gpu:
        pytest.skip("the gpu tier runs this snippet for real")
    try:
        runner.run(name, address(server))
    except SnippetError as failure:
        cause = failure.__cause__
    else:
        raise AssertionError(f"{runner.where(name)} ran without raising {error.error}")
    got = f"{type(cause).__module__}.{type(cause).__name__}".removeprefix("builtins.")
    assert error.error in (got, type(cause).__name__), f"{runner.where(name)} raised {cause!r}"
    from importlib.metadata import version

    if shown and version("transformers") == SITE.verified_versions["transformers"][1]:
        assert f"{type(cause).__name__}: {cause}" == shown, (
            f"{runner.where(name)} now raises\n  {type(cause).__name__}: {cause}\n"
            f"but snippets/{error.output} says\n  {shown}"
        )


def raise_under(runner: Runner, name: str, error: Raises, shown: str) -> None:
    python = json.loads(os.environ.get("SIDE_PYTHONS", "{}")).get(error.under)
    if not python:
        pytest.skip(f"needs an environment with {error.under}: `nox -s oldest` runs this check")
    package, wanted = error.under.split("==")
    code = f"import importlib.metadata as m; print(m.version({package!r}))"
    got = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    assert got.stdout.strip() == wanted, f"SIDE_PYTHONS[{error.under!r}] has {got.stdout}"
    done = subprocess.run(
        [python, "-c", adapt(runner.site, name)],
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        timeout=600,
    )
    assert done.returncode != 0, f"{runner.where(name)} ran without error under {error.under}"
    last = done.stderr.strip().splitlines()[-1]
    assert last == shown, (
        f"under {error.under}, {runner.where(name)} now ends with\n  {last}\n"
        f"but snippets/{error.output} (shown on the page) says\n  {shown}"
    )


@pytest.fixture(scope="session")
def tokenizer():
    """The tokenizer of Qwen/Qwen2-7B-Instruct as the tier has it, loaded once for the tests
    that read it. Snippets load their own, as readers do."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(MODEL_ID)


# -- servers -----------------------------------------------------------------------------------


def chat_server_for(config) -> Server:
    """The session's chat server, started on first use and stopped when the session ends. cpu
    tier: `transformers serve` with the stand-in. gpu tier: vLLM, started with the page's own
    `vllm serve ... --host 127.0.0.1` command (VLLM names the vllm executable)."""
    if SERVER in config.stash:
        return config.stash[SERVER]
    port = free_port()
    log = LOGS / f"server-{port}.log"
    if runner_of(config).tier == "gpu":
        vllm = os.environ.get("VLLM") or shutil.which("vllm")
        if not vllm:
            pytest.skip("vllm is not installed: set VLLM=/path/to/vllm (see `nox -s gpu`)")
        cmd = adapt(
            SITE,
            "vllm/serve_local.sh",
            {
                "vllm serve": "exec " + vllm + " serve",
                # The transformers tests share the GPU: vLLM must not take 90% of it.
                "127.0.0.1": f"127.0.0.1 --port {port} --gpu-memory-utilization 0.4",
            },
        )
        server = Server("vllm serve", ["bash", "-c", cmd], port, log, 900.0)
    else:
        # Test equipment, not a snippet: the oldest-versions session points TRANSFORMERS_SERVE at
        # a current transformers, whose `serve` command old releases lack.
        exe = os.environ.get("TRANSFORMERS_SERVE")
        cli = [exe] if exe else [sys.executable, "-m", "transformers.cli.transformers"]
        argv = [*cli, "serve", MODEL_ID, "--host", "127.0.0.1", "--port", str(port)]
        server = Server("transformers serve", [*argv, "--default-seed", "0"], port, log, 300.0)
    config.stash[SERVER] = server
    config.add_cleanup(server.stop)
    return server.launch().wait()


@pytest.fixture(scope="session")
def chat_server(request) -> Server:
    """A real OpenAI-compatible server on a free loopback port, stopped at the end."""
    return chat_server_for(request.config)


@pytest.fixture(scope="session")
def vllm_python() -> str:
    """The python of vLLM's own environment (`nox -s tests` and `nox -s gpu` set VLLM); skips the
    test without."""
    vllm = os.environ.get("VLLM")
    if not vllm:
        pytest.skip("no vLLM environment: `nox -s tests` makes one and sets VLLM to its vllm")
    return str(Path(vllm).with_name("python"))


# -- the built site ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BuiltSite:
    """The site built once per session with `mkdocs build --strict`, for a loopback port: its
    absolute links (hreflang alternates, canonical and Open Graph URLs) name that address."""

    folder: Path
    log: str
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> BuiltSite:
    folder, port = tmp_path_factory.mktemp("site"), free_port()
    done = build_site(folder, f"http://127.0.0.1:{port}/")
    if done.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}", pytrace=False)
    return BuiltSite(folder, done.stdout + done.stderr, port)


@pytest.fixture(scope="session")
def site_url(built_site) -> str:
    """The built site, served as a static host serves it, at the address it was built for."""
    with static_site(built_site.folder, built_site.port) as url:
        yield url


@pytest.fixture(scope="session")
def lighthouse_report() -> dict[str, dict]:
    """The Lighthouse audits of every page (harness.tools.lighthouse), keyed "url|palette"."""
    LIGHTHOUSE_JSON.unlink(missing_ok=True)
    argv = [sys.executable, "-m", "harness.tools.lighthouse", "audits", "--planted"]
    done = subprocess.run(
        [*argv, "--json", str(LIGHTHOUSE_JSON)], capture_output=True, text=True, timeout=1800
    )
    if not LIGHTHOUSE_JSON.exists():
        log = (done.stdout + done.stderr)[-4000:]
        pytest.fail(f"the Lighthouse audits wrote no results:\n{log}", pytrace=False)
    return json.loads(LIGHTHOUSE_JSON.read_text(encoding="utf-8"))
