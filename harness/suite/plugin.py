"""The pytest plugin of the suite: wiring only (pyproject.toml loads it: `-p harness.suite.plugin`).

Tiers: cpu (default) runs against the offline stand-in; ``--gpu`` runs on CUDA with the real
weights from your Hugging Face cache; ``--gpu --standin`` runs the gpu tier's CUDA paths against
the stand-in (no download). A test names the one snippet it exercises with
``@pytest.mark.snippet("topic/name.py")`` and reaches it through the ``snippet`` fixture
(harness/suite/fixtures.py); what is known about the snippet comes from snippets/snippets.toml.
Background work (server, standalone runs, Lighthouse, site build, early fixtures) is
harness/suite/background.py.
"""

from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path

import pytest

from harness import standin
from harness.model import gpu_record
from harness.model.facts import ROOT
from harness.model.site import SITE
from harness.processes import exit_without_teardown
from harness.suite import background, gpu_run
from harness.suite.background import JOBS, Jobs, jobs
from harness.suite.runner import Runner, SnippetError

pytest_plugins = ["harness.suite.fixtures"]

SNIPPET_TESTS = ROOT / "tests" / "snippets"
GPU_REASON = "gpu tier only (needs CUDA): run `nox -s gpu`, or pytest --gpu [--standin]"
MARKERS = {
    "gpu": "needs CUDA (and the real weights unless --standin)",
    "server": "talks to a local OpenAI-compatible server",
    "browser": "drives the built site in headless Chromium",
    "lighthouse": "Lighthouse audits of the built site",
    "snippet(path)": "the snippets/ file this test exercises",
}
# Tests that fork from the preloaded interpreter: the notebooks (kernels), the server tests and
# the standalone runs. Where a run names any of them (or names nothing: the whole suite), it
# starts at configure time, while collection imports; otherwise at the end of collection.
PRELOAD_USERS = (
    ROOT / "notebooks",
    SNIPPET_TESTS / "test_server.py",
    SNIPPET_TESTS / "test_standalone.py",
)
DESELECTED = pytest.StashKey[list]()
FINISHED = pytest.StashKey[pytest.Session]()  # the session, for its exit status at exit


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
    # One thread per torch process: the stand-in is tiny, so a second thread gains nothing, and
    # idle OpenMP threads spin on the core that the server, the kernels and Chromium need.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    gpu = config.getoption("--gpu")
    on_standin = not gpu or config.getoption("--standin")
    if on_standin:
        standin.activate()
    else:
        os.environ.pop("HF_HUB_OFFLINE", None)
    j = Jobs(Runner(SITE, tier="gpu" if gpu else "cpu"), gpu=gpu, standin=on_standin)
    config.stash[JOBS] = j
    if _may_fork(config):
        background.start_preloaded(j)  # it imports while the stand-in is built
    if on_standin:
        standin.ensure()


def _may_fork(config) -> bool:
    args = [Path(a.split("::")[0]).resolve() for a in config.args] or [ROOT]
    return any(u == a or a in u.parents for a in args for u in PRELOAD_USERS)


def pytest_collection_modifyitems(config, items):
    # The modules whose tests wait for background work run last, so that it has the other tests'
    # time to run in: those that wait for early work (background.early) or are notebooks (run in
    # the background too), then those that wait for the Lighthouse audits, the longest.
    waits: dict = {}
    for item in items:
        names = {*getattr(item, "fixturenames", ())}
        rank = 1 if background.EARLY.keys() & names or is_notebook(item) else 0
        rank = 2 if "lighthouse_report" in names else rank
        waits[item.path] = max(waits.get(item.path, 0), rank)
    items.sort(key=lambda item: waits[item.path])
    group_by_page(items)
    runner = jobs(config).runner
    for item in items:
        marks = list(item.iter_markers("snippet"))
        if len(marks) > 1 or any(len(m.args) != 1 for m in marks):
            raise pytest.UsageError(f"{item.nodeid}: name exactly one snippet in one marker")
        if marks:
            jobs(config).snippet_of[item.nodeid] = marks[0].args[0]
        if marks and runner.entry(marks[0].args[0]).tier == "gpu":
            item.add_marker(pytest.mark.gpu)
    if jobs(config).gpu:
        import torch

        if not torch.cuda.is_available():
            raise pytest.UsageError("--gpu was given but torch sees no CUDA device")
        return
    skip = pytest.mark.skip(reason=GPU_REASON)
    for item in items:
        if item.get_closest_marker("gpu"):
            item.add_marker(skip)


def group_by_page(items) -> None:
    """The browser tests that take a page (a ``doc`` parameter) run grouped by page, in the order
    of their first test, and within a page in the order of their file: one tab then loads each
    page once (tests/test_browser.py)."""
    first: dict[tuple, int] = {}

    def key(pair):
        n, item = pair
        params = getattr(item, "callspec", None) and item.callspec.params
        if not params or "doc" not in params or not item.get_closest_marker("browser"):
            return first.setdefault((item.path, n), n)
        return first.setdefault((item.path, params["doc"].rel), n)

    items[:] = [item for _, item in sorted(enumerate(items), key=key)]


def pytest_deselected(items):
    if items:
        items[0].config.stash.setdefault(DESELECTED, []).extend(items)


def pytest_collection_finish(session):
    """Start what the collected tests need in the background, so that it works while other
    tests run."""
    if session.config.option.collectonly:
        return
    j = jobs(session.config)
    fixtures = {f for item in session.items for f in getattr(item, "fixturenames", ())}
    notebooks = [item for item in session.items if is_notebook(item)]
    clients = {"openai_server", "standalone_report"} & fixtures
    if not j.preloaded and (notebooks or clients):
        background.start_preloaded(j)
    if "lighthouse_report" in fixtures:
        background.start_lighthouse(j)
    if "built_site" in fixtures:
        background.start_site_build(j)
    if clients and not background.vllm_missing(j):
        j.server = background.chat_server(j).launch()
    if "standalone_report" in fixtures:
        background.start_standalone(j)
    background.start_early(j, fixtures)
    background.start_notebooks(j, notebooks)


def is_notebook(item) -> bool:
    """An item of nbmake's (a notebook, executed by its kernel)."""
    return getattr(item, "nbmake", False)


def _whole_snippet_suite(session) -> bool:
    """Whether this run runs every snippet test: all their files collected, none deselected
    (by -k or -m); other tests may be left out (`-m "not browser"` still checks snippets)."""

    def in_snippet_tests(item) -> bool:
        return SNIPPET_TESTS in Path(str(item.path)).resolve().parents

    if any(map(in_snippet_tests, session.config.stash.get(DESELECTED, []))):
        return False
    collected = {Path(str(item.path)).resolve() for item in session.items}
    return all(p.resolve() in collected for p in SNIPPET_TESTS.glob("test_*.py"))


def record_outcome(j: Jobs, report) -> None:
    """Each snippet test's outcome, for the gpu tier's record (harness/suite/gpu_run.py)."""
    snippet = j.snippet_of.get(report.nodeid)
    if not snippet or not (report.when == "call" or report.failed or report.skipped):
        return
    reason = ""
    if report.skipped and isinstance(report.longrepr, tuple):
        reason = report.longrepr[2].removeprefix("Skipped: ")
    elif report.failed:
        reason = (report.longreprtext.strip().splitlines() or [""])[-1][:300]
    j.outcomes.setdefault(snippet, []).append((report.nodeid, report.outcome, reason))


def pytest_sessionfinish(session, exitstatus):
    """A whole run fails if a snippet its tier should run was neither run nor read by a test.
    A whole gpu-tier run writes its record, verified/gpu.json, passing or not."""
    session.config.stash[FINISHED] = session  # its exit status is read at exit
    j = jobs(session.config)
    runner = j.runner
    whole = _whole_snippet_suite(session)
    if j.gpu and whole:
        record = gpu_run.write(j.outcomes, "stand-in" if j.standin else "real")
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.write_line(f"gpu tier: wrote {gpu_record.RECORD} ({record.date}): commit it")
    if exitstatus != 0 or not whole:
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


def pytest_unconfigure(config):
    if JOBS in config.stash:
        jobs(config).stop()
    if FINISHED in config.stash and _pytest_is_the_program():
        atexit.register(_exit_without_teardown, config.stash[FINISHED])


def _pytest_is_the_program() -> bool:
    """Whether this process is a `pytest` (or `python -m pytest`) command, not a program that
    calls pytest.main() and goes on after it."""
    spec = getattr(sys.modules["__main__"], "__spec__", None)
    return (spec and spec.name == "pytest.__main__") or Path(sys.argv[0]).name == "pytest"


def _exit_without_teardown(session) -> None:
    """The end of a pytest run without the interpreter's teardown (processes.exit_without_teardown):
    every other exit handler runs (pytest's temporary folders, weakref finalizers, logging), then
    the process exits with the run's status. Registered last, this handler runs first."""
    atexit.unregister(_exit_without_teardown)
    exit_without_teardown(int(session.exitstatus))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    record_outcome(jobs(item.config), report)
    if call.excinfo and isinstance(call.excinfo.value, SnippetError) and call.excinfo.value.snippet:
        # The snippet at fault, as data, for harness/tools/report.py (a test fails when the
        # snippet that the one it exercises continues fails).
        # junit writes the properties of the item's last report: put it on the item.
        item.user_properties.append(("snippet_at_fault", call.excinfo.value.snippet))
    server = jobs(item.config).server
    if report.failed and server and "openai_server" in getattr(item, "funcargs", {}):
        report.sections.append((f"{server.name} log ({server.log})", server.tail()))
