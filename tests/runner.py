"""Run a snippet the way a reader runs it, and fail loudly, naming the snippet and its pages."""

from __future__ import annotations

import contextlib
import logging
import warnings
from pathlib import Path

import pytest

from docsite import SNIPPETS, including_pages

# Warnings that mean a snippet uses an API on its way out, or misuses one.
DEPRECATIONS = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)
WATCHED_LOGGERS = ("transformers", "torch", "openai", "accelerate", "modelscope")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


# Every snippets/ file a test read or ran in this session; conftest checks none was left out.
USED: set[str] = set()


def where(snippet: str) -> str:
    pages = including_pages(snippet)
    return f"snippets/{snippet} (included by {', '.join(pages) or 'no page'})"


def source(snippet: str, replace: dict[str, str] | None = None) -> str:
    """The snippet's text, with the given adaptations; each one must apply exactly once."""
    text = (SNIPPETS / snippet).read_text(encoding="utf-8")
    USED.add(snippet)
    for old, new in (replace or {}).items():
        count = text.count(old)
        if count != 1:
            raise AssertionError(f"{where(snippet)}: expected {old!r} once, found it {count} times")
        text = text.replace(old, new)
    return text


@contextlib.contextmanager
def no_deprecations(snippet: str, deprecated_ok: bool = False):
    """Fail when a snippet triggers a deprecation warning or a library's warning log."""
    handler = _Collect()
    loggers = [logging.getLogger(name) for name in WATCHED_LOGGERS]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    problems = [
        f"{w.category.__name__}: {w.message} ({Path(w.filename).name}:{w.lineno})"
        for w in caught
        if issubclass(w.category, DEPRECATIONS) and not deprecated_ok
    ]
    problems += [
        f"{r.name} logged {r.levelname}: {r.getMessage()}"
        for r in handler.records
        if not (deprecated_ok and "deprecat" in r.getMessage().lower())
    ]
    if problems:
        pytest.fail(f"{where(snippet)} warned:\n  " + "\n  ".join(problems), pytrace=False)


def run(
    snippet: str, namespace: dict, replace: dict[str, str] | None = None, deprecated_ok=False
) -> dict:
    """Execute a Python snippet in ``namespace`` (a page's snippets share one).

    ``deprecated_ok`` is only for snippets that show an older form on purpose.
    """
    code = compile(source(snippet, replace), str(SNIPPETS / snippet), "exec")
    with no_deprecations(snippet, deprecated_ok):
        try:
            exec(code, namespace)
        except Exception as exc:
            raise AssertionError(f"{where(snippet)} raised {type(exc).__name__}: {exc}") from exc
    return namespace
