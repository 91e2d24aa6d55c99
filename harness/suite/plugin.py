"""The pytest plugin of the suite (pyproject.toml loads it: `-p harness.suite.plugin`).

snippets/snippets.toml is the collector: each entry yields the items that check it the same way
as every other entry (it runs; it runs alone; it prints its output; it raises the error a page
quotes), and a test module whose path mirrors the snippet's (`snippets/x/y.py` and
`tests/snippets/x/test_y.py`) holds the checks particular to it, reaching the run through the
``run`` and ``snippet`` fixtures (harness/suite/fixtures.py). An entry that no item of its own
runs (a shell command other than a curl request, a GPU-only command) needs that module: its
absence is a collection error naming the file to write, so coverage holds by construction.

Tiers: cpu (default) runs against the offline stand-in; ``--gpu`` runs on CUDA with the real
weights from your Hugging Face cache; ``--gpu --standin`` runs the gpu tier's CUDA paths against
the stand-in (no download).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.qwen2 import standin
from harness.site.manifest import Snippet
from harness.site.pages import SITE
from harness.site.paths import ROOT
from harness.suite import gpu_run
from harness.suite.runner import Runner, SnippetError

pytest_plugins = ["harness.suite.fixtures"]

MANIFEST = SITE.snippets / "snippets.toml"
MIRRORS = ROOT / "tests" / "snippets"
GPU_REASON = "gpu tier only (needs CUDA): run `nox -s gpu`, or pytest --gpu [--standin]"
RUNNER = pytest.StashKey[Runner]()
OUTCOMES = pytest.StashKey[dict]()  # snippet -> [(test id, outcome, reason)]: the gpu record
MARKERS = {
    "gpu": "needs CUDA (and the real weights unless --standin)",
    "server": "talks to a local OpenAI-compatible server",
    "browser": "drives the built site in headless Chromium",
    "lighthouse": "Lighthouse audits of the built site",
}


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
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    # One thread per torch process: the stand-in is tiny, so a second thread gains nothing.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    # The notebooks' install cells (%pip install, the pages' lines) resolve against what this
    # environment has, offline, without the machine's pip configuration (a constraints file
    # there would have pip replace the torch under test).
    os.environ.update({"PIP_NO_INDEX": "1", "PIP_CONFIG_FILE": os.devnull})
    os.environ.pop("PIP_FIND_LINKS", None)
    os.environ.pop("PIP_CONSTRAINT", None)
    gpu = config.getoption("--gpu")
    if not gpu or config.getoption("--standin"):
        standin.activate()
        standin.ensure()
    else:
        os.environ.pop("HF_HUB_OFFLINE", None)
    config.stash[RUNNER] = Runner(SITE, tier="gpu" if gpu else "cpu")
    config.stash[OUTCOMES] = {}


def mirror(name: str) -> Path:
    """The test module that holds the checks particular to snippets/``name``."""
    topic, _, file = name.rpartition("/")
    return MIRRORS / topic / f"test_{Path(file).stem}.py"


def mirrored_snippet(path: Path) -> str | None:
    """The snippet a test module under tests/snippets/ mirrors, or None for any other module."""
    if MIRRORS not in path.parents or not path.name.startswith("test_"):
        return None
    folder = path.parent.relative_to(MIRRORS).as_posix()
    stem = path.stem.removeprefix("test_")
    found = [n for n in SITE.manifest if n.rpartition("/")[0] == folder and Path(n).stem == stem]
    if len(found) != 1:
        raise pytest.UsageError(
            f"{path.relative_to(ROOT)} mirrors no snippet: expected one snippets/{folder}/"
            f"{stem}.* declared in snippets/snippets.toml, found {found or 'none'}"
        )
    return found[0]


# -- the manifest as the collector -------------------------------------------------------------


def pytest_collect_file(file_path, parent):
    if file_path == MANIFEST:
        return Manifest.from_parent(parent, path=file_path)
    return None


def checks(name: str, entry: Snippet) -> list[tuple[str, dict]]:
    """The items an entry yields: (what it checks, how), the same for every entry. A snippet that
    continues nothing runs in a namespace of its own, as a reader pasting it into a new session
    runs it: a name it uses without defining raises NameError."""
    out = []
    cpu_raise = [r for r in entry.raises if r.tier == "cpu"]
    runnable = entry.is_python or (entry.server and entry.path.endswith(".sh"))
    if runnable and not cpu_raise and not entry.run_in_test:
        if entry.replaces:
            what = f"runs in place of a line of {entry.continues}"
        elif entry.continues:
            what = f"runs after {entry.continues}"
        else:
            what = "runs alone" if entry.is_python else "runs"
        out.append((what, {}))
    if entry.output:
        out.append(("prints its output", {"output": True}))
    for r in entry.raises:
        if r.tier == "cpu":
            out.append((f"raises {r.error} on the cpu tier", {"raises": r}))
        elif r.under:
            out.append((f"raises {r.error} under {r.under}", {"raises": r}))
    return out


def needs_mirror(entry: Snippet) -> bool:
    """Whether only a test module of its own can run or read the entry: what no item of
    ``checks`` runs on every tier it is for (and is not a file another snippet reads, nor one
    that nothing here can run: its page says so, `not_run`), and what its page says the suite
    checks instead of running it (`checked`)."""
    read = any(entry.path in e.reads for e in SITE.manifest.values())
    runs = any(not how for _, how in checks(entry.path, entry))  # the item that runs it
    return bool(entry.checked) or not (runs and entry.tier == "any" or read or entry.not_run)


def unchecked() -> list[str]:
    """An error for each entry that needs a test module of its own and has none."""
    return [
        f"{SITE.where(name)}: "
        + ("its page says the suite checks it" if entry.checked else "nothing runs it")
        + f": no check of snippets.toml applies to it, so it needs "
        f"{mirror(name).relative_to(ROOT)} (see harness/README.md)"
        for name, entry in SITE.manifest.items()
        if needs_mirror(entry) and not mirror(name).exists()
    ]


class Manifest(pytest.File):
    def collect(self):
        lines = self.path.read_text(encoding="utf-8").splitlines()
        headers = {text.strip(): n for n, text in enumerate(lines)}  # '["x/y.py"]': its line
        if unchecked():
            raise self.CollectError("\n".join(unchecked()))
        for name, entry in SITE.manifest.items():
            for what, how in checks(name, entry):
                line = headers.get(f'["{name}"]')
                yield SnippetItem.from_parent(
                    self, name=f"{name} {what}", snippet=name, how=how, line=line
                )


class SnippetItem(pytest.Item):
    """One check of one manifest entry."""

    def __init__(self, *, snippet: str, how: dict, line: int | None, **kw):
        super().__init__(**kw)
        self.snippet, self.how, self.line = snippet, how, line
        entry = SITE.manifest[snippet]
        self.user_properties.append(("snippet", snippet))
        if entry.tier == "gpu":
            self.add_marker(pytest.mark.gpu)
        if entry.server:
            self.add_marker(pytest.mark.server)
        self.add_marker(pytest.mark.timeout(300))

    def server(self) -> str | None:
        if not SITE.manifest[self.snippet].server:
            return None
        from harness.suite.fixtures import chat_server_for

        return chat_server_for(self.config).base_url

    def runtest(self):
        from harness.suite.fixtures import expect_raise, run_snippet

        runner: Runner = self.config.stash[RUNNER]
        gpu = runner.tier == "gpu"
        raises = self.how.get("raises")
        if raises is not None:
            expect_raise(runner, self.snippet, raises, gpu, self.server())
        elif self.how.get("output"):
            printed = run_snippet(runner, self.snippet, self.server()).printed
            check_output(runner, self.snippet, printed, self.config.getoption("--update-outputs"))
        else:
            run_snippet(runner, self.snippet, self.server())

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, (SnippetError, AssertionError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        """snippets.toml and the line of the entry's header."""
        return self.path, self.line, self.name


def check_output(runner: Runner, name: str, printed: str, update: bool) -> None:
    """What the snippet prints must be exactly the output shown on the page."""
    output = runner.entry(name).output
    if update:
        (SITE.snippets / output).write_text(printed, encoding="utf-8")
        return
    assert printed == runner.output(name), (
        f"snippets/{output} differs from what {runner.where(name)} prints; "
        "rerun with --update-outputs if the change is intended"
    )


# -- tiers, and the gpu tier's record ----------------------------------------------------------


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups it marks
def pytest_collection_modifyitems(config, items):
    runner = config.stash[RUNNER]
    for item in items:
        # A gpu-tier snippet's own items need CUDA; a test in its mirror module needs it only
        # where it says so (`@pytest.mark.gpu`): vLLM's parser, for one, runs on a CPU.
        name = getattr(item, "snippet", None) or mirrored_snippet(Path(str(item.path)))
        # pytest-xdist (--dist loadgroup) keeps a topic's checks on one worker, so that the
        # session fixtures they share start once: the chat server, llama.cpp's server (the
        # Ollama page's client runs against it too), MLX's conversion, vLLM's reading of the
        # commands, one Chromium for the browser tests, the Lighthouse audits.
        group = name.split("/")[0] if name else None
        fixtures = getattr(item, "fixturenames", ())
        group = "vllm-cli" if "vllm_cli" in fixtures else group
        group = "llamacpp" if "llama_server" in fixtures else group
        for marker in ("browser", "lighthouse"):  # the audits apart from the browser tests
            group = marker if item.get_closest_marker(marker) else group
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
    if runner.tier == "gpu":
        import torch

        if not torch.cuda.is_available():
            raise pytest.UsageError("--gpu was given but torch sees no CUDA device")
        return
    skip = pytest.mark.skip(reason=GPU_REASON)
    for item in items:
        if item.get_closest_marker("gpu"):
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    error = call.excinfo and call.excinfo.value
    if isinstance(error, SnippetError) and error.snippet:
        # The snippet at fault, as data, for harness/tools/report.py (a test fails when the
        # snippet that the one it checks continues fails). junit writes the item's properties.
        item.user_properties.append(("snippet_at_fault", error.snippet))
    snippet = dict(item.user_properties).get("snippet")
    if snippet and (report.when == "call" or report.failed or report.skipped):
        reason = ""
        if report.skipped and isinstance(report.longrepr, tuple):
            reason = report.longrepr[2].removeprefix("Skipped: ")
        elif report.failed:
            reason = (report.longreprtext.strip().splitlines() or [""])[-1][:300]
        outcomes = item.config.stash[OUTCOMES].setdefault(snippet, [])
        outcomes.append((report.nodeid, report.outcome, reason))


def pytest_sessionfinish(session, exitstatus):
    """A whole gpu-tier run (every snippet test collected) writes its record, verified/gpu.json."""
    config = session.config
    whole = config.args_source == pytest.Config.ArgsSource.TESTPATHS
    whole = whole and not config.option.keyword and not config.option.markexpr
    if config.stash[RUNNER].tier != "gpu" or not whole:
        return
    weights = "stand-in" if config.getoption("--standin") else "real"
    record = gpu_run.write(config.stash[OUTCOMES], weights)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_line(f"gpu tier: wrote {gpu_run.RECORD} ({record.date}): commit it")
