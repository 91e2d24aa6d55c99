"""The suite's fixtures (loaded by harness/suite/plugin.py): the snippet a test names, the
runner, the built and served site, the chat server and the reports of background work."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.model.facts import MODEL_ID
from harness.model.site import SITE
from harness.processes import static_site
from harness.suite.background import (
    LIGHTHOUSE_JSON,
    LIGHTHOUSE_LOG,
    jobs,
    start_site_build,
    vllm_missing,
)
from harness.suite.runner import Runner


@pytest.fixture(scope="session")
def runner(request) -> Runner:
    return jobs(request.config).runner


@pytest.fixture(scope="session")
def gpu(request) -> bool:
    return jobs(request.config).gpu


@pytest.fixture(scope="session")
def on_standin(request) -> bool:
    """True where Qwen/Qwen2-7B-Instruct is the stand-in (cpu tier, or --gpu --standin)."""
    return jobs(request.config).standin


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
def _snippet_scope(request, runner):
    """A test may use only the snippet its marker names (or none, without a marker)."""
    mark = request.node.get_closest_marker("snippet")
    runner.allowed = {mark.args[0]} if mark else set()
    yield
    runner.allowed = None


@pytest.fixture
def snippet(request, runner, update_outputs, record_property) -> BoundSnippet:
    mark = request.node.get_closest_marker("snippet")
    if not mark:
        pytest.fail("the snippet fixture needs @pytest.mark.snippet('topic/name')", pytrace=False)
    record_property("snippet", mark.args[0])  # junit XML: harness/tools/report.py reads it
    return BoundSnippet(runner, mark.args[0], update_outputs)


@pytest.fixture(scope="session")
def tokenizer():
    """The tokenizer of Qwen/Qwen2-7B-Instruct as the tier has it (the stand-in's on CPU, the real
    one on the gpu tier), loaded once for the tests that read it: each load parses its 7 MB
    tokenizer.json, 0.6-0.8 s of CPU here. Snippets load their own, as readers do."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(MODEL_ID)


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
def built_site(request) -> BuiltSite:
    j = jobs(request.config)
    if not j.site_build:
        start_site_build(j)
    folder, port, building = j.site_build
    done = building.result()
    if done.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}", pytrace=False)
    return BuiltSite(folder, done.stdout + done.stderr, port)


@pytest.fixture(scope="session")
def site_url(built_site) -> str:
    """The built site, served as a static host serves it, at the address it was built for."""
    with static_site(built_site.folder, built_site.port) as url:
        yield url


@pytest.fixture(scope="session")
def openai_server(request):
    """A real OpenAI-compatible server on a free loopback port, stopped at the end."""
    j = jobs(request.config)
    if vllm_missing(j):
        pytest.skip("vllm is not installed: set VLLM=/path/to/vllm (see `nox -s gpu`)")
    try:
        yield j.server.wait()
    finally:
        j.server.stop()


@pytest.fixture(scope="session")
def vllm_python() -> str:
    """The python of vLLM's own environment (`nox -s gpu` sets VLLM); skips the test without."""
    vllm = os.environ.get("VLLM")
    if not vllm:
        pytest.skip("vllm is not installed: set VLLM to the vllm executable (see `nox -s gpu`)")
    return str(Path(vllm).with_name("python"))


@pytest.fixture(scope="session")
def lighthouse_report(request) -> dict[str, dict]:
    """The Lighthouse audits of every page, keyed "url|palette" (started at collection)."""
    proc = jobs(request.config).lighthouse
    proc.wait(timeout=1800)
    if not LIGHTHOUSE_JSON.exists():
        log = LIGHTHOUSE_LOG.read_text(errors="replace")
        pytest.fail(f"the Lighthouse audits wrote no results:\n{log[-4000:]}", pytrace=False)
    return json.loads(LIGHTHOUSE_JSON.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def standalone_report(request) -> dict[str, dict]:
    """What harness.suite.standalone reported for each snippet it ran (started at collection)."""
    out, _ = jobs(request.config).standalone.communicate(timeout=600)
    return {r["snippet"]: r for r in map(json.loads, out.splitlines())}
