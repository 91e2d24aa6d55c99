"""The pytest plugin of the suite (pyproject.toml loads it: `-p harness.plugin`).

Tiers: cpu (default) runs against the offline stand-in; ``--gpu`` runs on CUDA with the real
weights from your Hugging Face cache; ``--gpu --standin`` runs the gpu tier's CUDA paths against
the stand-in (no download). A test names the one snippet it exercises with
``@pytest.mark.snippet("topic/name.py")`` and reaches it through the ``snippet`` fixture; what is
known about the snippet (what it continues, its tier, its output) comes from snippets/snippets.toml.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from harness import manifest, preload, standin
from harness.runner import Runner
from harness.servers import Server, die_with_parent, free_port, spawn, static_site
from harness.site import ROOT, SITE, build

ARTIFACTS = ROOT / "test-artifacts"  # screenshots and server logs for a person to look at
SNIPPET_TESTS = ROOT / "tests" / "snippets"
GPU_REASON = "gpu tier only (needs CUDA): run `nox -s gpu`, or pytest --gpu [--standin]"
RUNNER = pytest.StashKey[Runner]()
SERVER = pytest.StashKey[Server]()
STANDALONE = pytest.StashKey[subprocess.Popen]()
LIGHTHOUSE = pytest.StashKey[subprocess.Popen]()
LIGHTHOUSE_JSON = ARTIFACTS / "lighthouse.json"
LOGS = ARTIFACTS / "logs"
LIGHTHOUSE_LOG = LOGS / "lighthouse.log"
PRELOADED = pytest.StashKey[subprocess.Popen]()


def standalone_snippets(entries: dict[str, manifest.Snippet]) -> list[str]:
    """Python snippets that declare no predecessor: each must run alone. Those that load the
    model come first, so the server has time to start before the ones that need it."""
    names = [n for n, e in entries.items() if e.is_python and not e.continues and e.tier == "any"]
    return sorted(names, key=lambda n: entries[n].server)


def pytest_addoption(parser):
    group = parser.getgroup("docs")
    group.addoption("--gpu", action="store_true", help="run the gpu tier: CUDA, real weights")
    group.addoption(
        "--standin",
        action="store_true",
        help="with --gpu: use the offline stand-in instead of the real weights",
    )
    group.addoption(
        "--update-outputs",
        action="store_true",
        help="rewrite snippets/outputs/ from what the snippets print, instead of failing",
    )


def pytest_configure(config):
    config.addinivalue_line("markers", "gpu: needs CUDA (and the real weights unless --standin)")
    config.addinivalue_line("markers", "server: talks to a local OpenAI-compatible server")
    config.addinivalue_line("markers", "browser: drives the built site in headless Chromium")
    config.addinivalue_line("markers", "lighthouse: Lighthouse audits of the built site")
    config.addinivalue_line("markers", "snippet(path): the snippets/ file this test exercises")
    # One thread per torch process: the stand-in is tiny, so a second thread gains nothing, and
    # idle OpenMP threads spin on the core that the server, the kernels and Chromium need.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    gpu = config.getoption("--gpu")
    if gpu and not config.getoption("--standin"):
        os.environ.pop("HF_HUB_OFFLINE", None)
    else:
        standin.activate()
    config.stash[RUNNER] = Runner(SITE, tier="gpu" if gpu else "cpu")
    if _may_fork(config):
        start_preloaded(config)


def tier(config) -> str:
    return config.stash[RUNNER].tier


def pytest_collection_modifyitems(config, items):
    runner = config.stash[RUNNER]
    for item in items:
        marks = list(item.iter_markers("snippet"))
        if len(marks) > 1 or any(len(m.args) != 1 for m in marks):
            raise pytest.UsageError(f"{item.nodeid}: name exactly one snippet in one marker")
        if marks and runner.entry(marks[0].args[0]).tier == "gpu":
            item.add_marker(pytest.mark.gpu)
    if tier(config) == "gpu":
        import torch

        if not torch.cuda.is_available():
            raise pytest.UsageError("--gpu was given but torch sees no CUDA device")
        return
    skip = pytest.mark.skip(reason=GPU_REASON)
    for item in items:
        if item.get_closest_marker("gpu"):
            item.add_marker(skip)


DESELECTED = pytest.StashKey[list]()


def pytest_deselected(items):
    if items:
        items[0].config.stash.setdefault(DESELECTED, []).extend(items)


def _whole_snippet_suite(session) -> bool:
    """Whether this run runs every snippet test: all their files collected, none deselected
    (by -k or -m); other tests may be left out (`-m "not browser"` still checks snippets)."""

    def in_snippet_tests(item) -> bool:
        return SNIPPET_TESTS in Path(str(item.path)).resolve().parents

    if any(map(in_snippet_tests, session.config.stash.get(DESELECTED, []))):
        return False
    collected = {Path(str(item.path)).resolve() for item in session.items}
    return all(p.resolve() in collected for p in SNIPPET_TESTS.glob("test_*.py"))


def pytest_sessionfinish(session, exitstatus):
    """A whole run fails if a snippet its tier should run was neither run nor read by a test."""
    runner = session.config.stash[RUNNER]
    if exitstatus != 0 or not _whole_snippet_suite(session):
        return
    t = runner.tier
    missing = [s for s, e in runner.entries.items() if e.runs_on(t) and s not in runner.used]
    other = sorted(s for s, e in runner.entries.items() if not e.runs_on(t))
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter and other:
        reporter.write_line(f"snippets the {t} tier does not run (snippets.toml): {other}")
    if missing:
        if reporter:
            reporter.write_line(
                f"FAILED: snippets declared for the {t} tier that no test ran or read: "
                + ", ".join(missing),
                red=True,
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def runner(request) -> Runner:
    return request.config.stash[RUNNER]


@pytest.fixture(scope="session")
def gpu(request) -> bool:
    return tier(request.config) == "gpu"


@pytest.fixture(scope="session")
def on_standin(request) -> bool:
    """True where Qwen/Qwen2-7B-Instruct is the stand-in (cpu tier, or --gpu --standin)."""
    return tier(request.config) == "cpu" or request.config.getoption("--standin")


@pytest.fixture(scope="session")
def update_outputs(request) -> bool:
    return request.config.getoption("--update-outputs")


class BoundSnippet:
    """The snippet a test's marker names: run it, read it, compare what it prints."""

    def __init__(self, runner: Runner, name: str, update: bool):
        self.runner, self.name, self.update = runner, name, update
        self.entry = runner.entry(name)

    def run(self, replace=None, **kw):
        return self.runner.run(self.name, replace, **kw)

    def shell(self, replace=None, **kw):
        return self.runner.shell(self.name, replace, **kw)

    def source(self, replace=None) -> str:
        return self.runner.source(self.name, replace)

    def base(self):
        """The session's one run of this snippet (the one later snippets continue from)."""
        self.runner.source(self.name)
        return self.runner.base(self.name)

    def where(self) -> str:
        return self.runner.where(self.name)

    def check_output(self, printed: str) -> None:
        """What the snippet prints must be exactly the output shown on the page."""
        name = self.entry.output
        if self.update:
            (SITE.snippets / name).write_text(printed, encoding="utf-8")
            return
        assert printed == self.runner.output(self.name), (
            f"snippets/{name} differs from what {self.where()} prints; "
            "rerun with --update-outputs if the change is intended"
        )


@pytest.fixture(autouse=True)
def _snippet_scope(request):
    """A test may use only the snippet its marker names (or none, without a marker)."""
    runner = request.config.stash[RUNNER]
    mark = request.node.get_closest_marker("snippet")
    runner.allowed = {mark.args[0]} if mark else set()
    yield
    runner.allowed = None


@pytest.fixture
def snippet(request, runner, update_outputs, record_property) -> BoundSnippet:
    mark = request.node.get_closest_marker("snippet")
    if not mark:
        pytest.fail("the snippet fixture needs @pytest.mark.snippet('topic/name')", pytrace=False)
    record_property("snippet", mark.args[0])  # junit XML: harness/report.py names its pages
    return BoundSnippet(runner, mark.args[0], update_outputs)


SITE_BUILD = pytest.StashKey[tuple]()


def start_site_build(config) -> None:
    """`mkdocs build --strict` in a thread from the end of collection (it is a subprocess: the
    tests go on meanwhile), into a scratch folder removed at the end."""
    from concurrent.futures import ThreadPoolExecutor

    site = Path(tempfile.mkdtemp(prefix="site-"))
    config.add_cleanup(lambda: shutil.rmtree(site, ignore_errors=True))
    port = free_port()
    pool = ThreadPoolExecutor(1)
    config.add_cleanup(pool.shutdown)
    config.stash[SITE_BUILD] = (site, port, pool.submit(build, site, f"http://127.0.0.1:{port}/"))


@pytest.fixture(scope="session")
def built_site(request):
    """The site, built once per session with `mkdocs build --strict`: (folder, build log), with
    ``.port``, the loopback port it is built for. Its absolute links (hreflang alternates,
    canonical and Open Graph URLs) name that address, so serve it there (``site_url`` fixture)."""
    if SITE_BUILD not in request.config.stash:
        start_site_build(request.config)
    site, port, building = request.config.stash[SITE_BUILD]
    done = building.result()
    if done.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}", pytrace=False)
    return BuiltSite(site, done.stdout + done.stderr, port)


@pytest.fixture(scope="session")
def site_url(built_site):
    """The built site, served as a static host serves it, at the address it was built for."""
    site, _ = built_site
    with static_site(site, built_site.port) as url:
        yield url


class BuiltSite(tuple):
    def __new__(cls, site: Path, log: str, port: int):
        built = super().__new__(cls, (site, log))
        built.port = port
        return built


# -- the chat server -------------------------------------------------------------------------


def make_server(config) -> Server:
    """cpu tier: `transformers serve` with the stand-in. gpu tier: vLLM, started with the page's
    own `vllm serve ... --host 127.0.0.1` command (vllm lives in its own environment: set VLLM or
    put it on PATH)."""
    port = free_port()
    log = LOGS / f"server-{port}.log"
    if tier(config) == "gpu":
        vllm = os.environ.get("VLLM") or shutil.which("vllm")
        if not vllm:
            raise pytest.UsageError("gpu tier: vllm is not installed (set VLLM=/path/to/vllm)")
        cmd = config.stash[RUNNER]._source(
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
    argv = [*cli, "serve", standin.REPO_ID, "--host", "127.0.0.1", "--port", str(port)]
    return Server("transformers serve", argv + ["--default-seed", "0"], port, log, 300.0)


def vllm_python() -> str:
    """The python of vLLM's own environment (`nox -s gpu` sets VLLM); skips the test without."""
    vllm = os.environ.get("VLLM")
    if not vllm:
        pytest.skip("vllm is not installed: set VLLM to the vllm executable (see `nox -s gpu`)")
    return str(Path(vllm).with_name("python"))


def _vllm_missing(config) -> bool:
    return tier(config) == "gpu" and not (os.environ.get("VLLM") or shutil.which("vllm"))


# `python -m` through the preloaded interpreter (harness/preload.py): the imports are paid once.
PYTHON_M = [sys.executable, "-m", "harness.preload"]


def start_preloaded(config) -> None:
    """The interpreter that notebook kernels, the standalone runs and `transformers serve` fork
    from, and a Jupyter kernel spec ("python3", as the notebooks name it) that forks from it."""
    folder = Path(tempfile.mkdtemp(prefix="preload-"))
    sock = folder / "socket"
    config.stash[PRELOADED] = spawn([*PYTHON_M, "--serve", str(sock)], LOGS / "preload.log")
    kernel = folder / "kernels" / "python3"
    kernel.mkdir(parents=True)
    spec = {
        "argv": [*PYTHON_M, "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (preloaded)",
        "language": "python",
        "metadata": {"debugger": False},
    }
    (kernel / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    os.environ[preload.ENV] = str(sock)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(folder), *filter(None, [os.environ.get("JUPYTER_PATH")])]
    )
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


# Tests that fork from the preloaded interpreter: the notebooks (kernels), the server tests and the
# standalone runs. Where a run names any of them (or names nothing: the whole suite), it starts at
# configure time, while collection imports; otherwise at the end of collection, if needed.
PRELOAD_USERS = (
    ROOT / "notebooks",
    SNIPPET_TESTS / "test_server.py",
    SNIPPET_TESTS / "test_standalone.py",
)


def _may_fork(config) -> bool:
    args = [Path(a.split("::")[0]).resolve() for a in config.args] or [ROOT]
    return any(u == a or a in u.parents for a in args for u in PRELOAD_USERS)


def pytest_collection_finish(session):
    """Start the preloaded interpreter, the server and the standalone runs as soon as a test
    needs them, so that they work while other tests run."""
    config = session.config
    fixtures = {f for item in session.items for f in getattr(item, "fixturenames", ())}
    notebooks = any(item.path.suffix == ".ipynb" for item in session.items)
    if PRELOADED not in config.stash and (
        notebooks or {"openai_server", "standalone_report"} & fixtures
    ):
        start_preloaded(config)
    if "lighthouse_report" in fixtures:
        start_lighthouse(config)
    if "built_site" in fixtures:
        start_site_build(config)
    if {"openai_server", "standalone_report"} & fixtures and not _vllm_missing(config):
        config.stash[SERVER] = make_server(config).launch()
    if "standalone_report" in fixtures:
        server = config.stash[SERVER].base_url if SERVER in config.stash else None
        names = standalone_snippets(config.stash[RUNNER].entries)
        if tier(config) == "gpu" and not config.getoption("--standin"):
            # With the real weights every fresh load takes minutes: the servers' clients only.
            names = [n for n in names if config.stash[RUNNER].entries[n].server]
        argv = [*PYTHON_M, "harness.standalone", *names]
        argv += ["--server", server] if server else []
        log = LOGS / "standalone.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "wb") as err:
            config.stash[STANDALONE] = subprocess.Popen(
                argv,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                cwd=ROOT,
                preexec_fn=die_with_parent,
            )


@pytest.fixture(scope="session")
def openai_server(request):
    """A real OpenAI-compatible server on a free loopback port, stopped at the end."""
    if _vllm_missing(request.config):
        pytest.skip("vllm is not installed: set VLLM=/path/to/vllm (see `nox -s gpu`)")
    server = request.config.stash[SERVER]
    try:
        yield server.wait()
    finally:
        server.stop()


def start_lighthouse(config) -> None:
    """The Lighthouse audits (harness.lighthouse), in the background: most of their time is
    Chromium waiting for the page to settle, which the other tests fill."""
    LIGHTHOUSE_JSON.unlink(missing_ok=True)
    argv = [sys.executable, "-m", "harness.lighthouse", "audits", "--json", str(LIGHTHOUSE_JSON)]
    config.stash[LIGHTHOUSE] = spawn(argv, LIGHTHOUSE_LOG)


@pytest.fixture(scope="session")
def lighthouse_report(request) -> dict[str, dict]:
    """The Lighthouse audits of every page, keyed "url|palette" (started at collection)."""
    proc = request.config.stash[LIGHTHOUSE]
    proc.wait(timeout=1800)
    if not LIGHTHOUSE_JSON.exists():
        log = LIGHTHOUSE_LOG.read_text(errors="replace")
        pytest.fail(f"the Lighthouse audits wrote no results:\n{log[-4000:]}", pytrace=False)
    return json.loads(LIGHTHOUSE_JSON.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def standalone_report(request) -> dict[str, dict]:
    """What harness.standalone reported for each snippet it ran (started at collection)."""
    proc = request.config.stash[STANDALONE]
    out, _ = proc.communicate(timeout=600)
    return {r["snippet"]: r for r in map(json.loads, out.splitlines())}


def pytest_unconfigure(config):
    if SERVER in config.stash:  # also when the fixture was never used
        config.stash[SERVER].stop()
    for key in (STANDALONE, LIGHTHOUSE, PRELOADED):
        if key in config.stash and config.stash[key].poll() is None:
            config.stash[key].kill()
            config.stash[key].wait()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    server = getattr(item, "funcargs", {}).get("openai_server")
    if report.failed and isinstance(server, Server):
        report.sections.append((f"{server.name} log ({server.log})", server.tail()))


def flash_attn_missing() -> bool:
    return importlib.util.find_spec("flash_attn") is None
