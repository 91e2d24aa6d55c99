"""Run a snippet the way a reader runs it; fail loudly, naming the snippet and every page line
that includes it.

A snippet that ``continues`` another (snippets/snippets.toml) runs in a copy of the namespace a
reader has after running its predecessors; each snippet's plain run happens once per session
(``Runner.result``). Every run is recorded and checked against harness/suite/invariants.py, and
fails on deprecation warnings and on warnings logged by the libraries the snippets use; one error
lists every problem of a run.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import io
import json
import logging
import shutil
import subprocess
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from harness.site import manifest
from harness.site.pages import SITE, Site
from harness.site.shell import curl_json_bodies
from harness.suite import invariants, recording

# Warnings that mean a snippet uses an API on its way out, or misuses one.
DEPRECATIONS = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)
# Modules of the libraries that warn about their own code when first imported, whichever snippet
# imports them first: torch.utils.mkldnn defines a ScriptModule with the deprecated
# torch.jit.script_method, and bitsandbytes' CPU backend imports it through torch.fx. A reader
# never sees these (Python hides DeprecationWarning outside __main__); the runner imports them
# once, before the first snippet, so that they are not laid at a snippet's door.
NOISY_IMPORTS = ("torch.fx.experimental.optimization",)
WATCHED_LOGGERS = ("transformers", "torch", "openai", "accelerate", "modelscope", "bitsandbytes")
SEED = 0


class SnippetError(AssertionError):
    """A snippet raised, warned, or broke an invariant; the message names it and its pages, and
    ``snippet`` is the file at fault (the plugin records it in the junit XML for the report)."""

    def __init__(self, message: str, snippet: str | None = None):
        super().__init__(message)
        self.snippet = snippet


def adapt(site: Site, snippet: str, replace: dict[str, str] | None = None) -> str:
    """The snippet's text with the given adaptations; each one must apply exactly once."""
    text = site.snippet_text(snippet)
    for old, new in (replace or {}).items():
        count = text.count(old)
        if count != 1:
            raise SnippetError(
                f"{site.where(snippet)}: expected {old!r} once, found it {count} times", snippet
            )
        text = text.replace(old, new)
    return text


@dataclass
class Run:
    snippet: str
    namespace: dict
    printed: str
    record: invariants.Record


@functools.cache
def _import_noisy_modules() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for name in NOISY_IMPORTS:
            importlib.import_module(name)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class _Tee(io.StringIO):
    """Captures what a snippet prints and still shows it (pytest's capture or the terminal)."""

    def __init__(self, out):
        super().__init__()
        self.out = out

    def write(self, s):
        self.out.write(s)
        return super().write(s)


@contextlib.contextmanager
def collect_warnings(allow_deprecated: str | None = None, shown: tuple[str, ...] = ()):
    """Collect, as problems, what the code inside warns: deprecation warnings, and WARNING (or
    worse) logs from the libraries in WATCHED_LOGGERS. ``allow_deprecated`` (the snippet's
    declared legacy form) lets deprecation warnings and deprecation logs through; ``shown``, the
    log messages a page shows and explains (the snippet's `logs`), let those exact messages
    through. The list it yields is filled when the block ends."""
    problems: list[str] = []
    handler = _Collect()
    loggers = [logging.getLogger(name) for name in WATCHED_LOGGERS]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield problems
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
        problems += [
            f"warned {w.category.__name__}: {w.message} ({Path(w.filename).name}:{w.lineno})"
            for w in caught
            if issubclass(w.category, DEPRECATIONS) and not allow_deprecated
        ]
        problems += [
            f"{r.name} logged {r.levelname}: {r.getMessage()}"
            for r in handler.records
            if not (allow_deprecated and "deprecat" in r.getMessage().lower())
            and r.getMessage() not in shown
        ]


class Runner:
    """Runs snippets for one test session; ``result`` keeps each snippet's first plain run, the
    one later snippets continue from and the checks on it read."""

    def __init__(self, site: Site = SITE, tier: str = "cpu"):
        self.site, self.tier = site, tier
        self.entries = site.manifest
        self._results: dict[str, Run | SnippetError] = {}

    def logs(self, entry: manifest.Snippet) -> tuple[str, ...]:
        """The log messages the pages show for the snippet and those it continues (their
        `logs`): a snippet that continues another runs its code too."""
        names = [*manifest.chain(self.site.manifest, entry.path), entry.path]
        files = [log for n in names for log in self.site.manifest[n].logs]
        return tuple(self.site.snippet_text(log).strip() for log in files)

    def where(self, snippet: str) -> str:
        return self.site.where(snippet)

    def entry(self, snippet: str) -> manifest.Snippet:
        if snippet not in self.entries:
            raise SnippetError(
                f"{self.where(snippet)} is not declared in snippets/snippets.toml: add it there",
                snippet,
            )
        return self.entries[snippet]

    def source(self, snippet: str, replace: dict[str, str] | None = None) -> str:
        """The snippet's text, with the given adaptations; each one must apply exactly once."""
        self.entry(snippet)
        return adapt(self.site, snippet, replace)

    def output(self, snippet: str) -> str:
        """The output file the snippet declares, as the page shows it."""
        name = self.entry(snippet).output
        if not name:
            raise SnippetError(
                f"{self.where(snippet)} declares no output in snippets.toml", snippet
            )
        return self.site.snippet_text(name)

    def result(self, snippet: str, replace: dict[str, str] | None = None) -> Run:
        """The session's one run of ``snippet`` (``replace``: the address of the server it needs),
        run on first use, a shell snippet with bash; a failure is raised again to every later
        caller."""
        if snippet not in self._results:
            execute = self.shell if snippet.endswith(".sh") else self.run
            try:
                self._results[snippet] = execute(snippet, replace)
            except SnippetError as error:
                self._results[snippet] = error
        found = self._results[snippet]
        if isinstance(found, SnippetError):
            raise found
        return found

    def run(
        self,
        snippet: str,
        replace: dict[str, str] | None = None,
        *,
        seed: int = SEED,
        after: Run | None = None,
    ) -> Run:
        """Run a Python snippet as a reader would after running what it continues; ``after``:
        after that run of what it continues (an adapted one) instead of the session's."""
        import torch

        _import_noisy_modules()

        entry = self.entry(snippet)
        code = adapt(self.site, snippet, replace)
        namespace: dict = {"__name__": "__main__"}
        filename = str(self.site.snippets / snippet)
        if entry.replaces:
            # The snippet stands in for a line of the one it continues: run that one, edited.
            base = entry.continues
            code = adapt(self.site, base, {entry.replaces: code.strip()})
            filename = str(self.site.snippets / base)
            before = manifest.chain(self.entries, base)
            if before:  # the last one's run holds the names of the whole chain
                namespace = dict(self.result(before[-1]).namespace)
        elif entry.continues:
            namespace = dict((after or self.result(entry.continues)).namespace)
        torch.manual_seed(seed)
        rec = invariants.Record(shows_prompt=entry.output is not None)
        where = self.where(snippet)
        compiled = compile(code, filename, "exec")
        out = _Tee(sys.stdout)
        # Objects shared with the session's base run (the tokenizer) must not carry a change
        # one snippet makes into the next: padding_side is the one the snippets change.
        shared = [v for v in namespace.values() if hasattr(v, "padding_side")]
        sides = [v.padding_side for v in shared]
        # The files the page has the reader save beside the code (`reads`), in a scratch folder
        # the snippet runs in.
        folder = tempfile.TemporaryDirectory(prefix="reads-") if entry.reads else None
        for read in entry.reads:
            shutil.copy(self.site.snippets / read, Path(folder.name) / Path(read).name)
        try:
            with (
                contextlib.chdir(folder.name) if folder else contextlib.nullcontext(),
                collect_warnings(entry.legacy, self.logs(entry)) as warned,
                recording.record(rec),
                contextlib.redirect_stdout(out),
            ):
                try:
                    exec(compiled, namespace)
                except Exception as exc:
                    error = SnippetError(f"{where} raised {type(exc).__name__}: {exc}", snippet)
                    error.record = rec  # what it did before it raised (the requests it sent)
                    raise error from exc
        finally:
            for obj, side in zip(shared, sides, strict=True):
                obj.padding_side = side
            if folder:
                folder.cleanup()
        rec.printed = out.getvalue()
        self._check(snippet, rec, warned)
        return Run(snippet, namespace, rec.printed, rec)

    def shell(
        self,
        snippet: str,
        replace: dict[str, str] | None = None,
        timeout=300,
        cwd=None,
        env=None,
    ) -> Run:
        """Run a shell snippet with bash (stopping at the first failing command), in ``cwd``,
        with no input; a curl request it makes is checked like Python ones."""
        script = self.source(snippet, replace)
        done = subprocess.run(
            ["bash", "-eo", "pipefail", "-c", script],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0:
            raise SnippetError(
                f"{self.where(snippet)} exited {done.returncode}:\n{done.stderr[-3000:]}", snippet
            )
        rec = invariants.Record(printed=done.stdout, shows_prompt=True)
        for _, body in curl_json_bodies(script):
            rec.exchanges.append(invariants.Exchange(json.loads(body), "", done.stdout))
        self._check(snippet, rec)
        return Run(snippet, {}, done.stdout, rec)

    def _check(self, snippet: str, rec: invariants.Record, warned: list[str] = ()) -> None:
        problems = [*warned, *invariants.violations(rec)]
        if problems:
            raise SnippetError(f"{self.where(snippet)}:\n  " + "\n  ".join(problems), snippet)
