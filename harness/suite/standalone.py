"""Run Python snippets each in a namespace of its own, in one new interpreter, as a reader who
pastes a block into a new Python session would: no name from another block is defined.

    python -m harness.suite.standalone [--server URL [--server-timeout S]] SNIPPET...

Prints one JSON line per snippet: {"snippet", "ok", "error", "printed"}. The interpreter is shared
by the snippets one after another (imports are paid once), never their names. With --server, the
page's address http://localhost:8000 is replaced by URL, after waiting up to S seconds for
URL/health to answer 200; where it does not, each snippet that needs the server fails without
running (a client pointed at whatever holds the port could wait minutes for an answer).

The test suite starts this at collection, so that it runs beside the other tests
(harness/suite/background.py; tests/snippets/test_standalone.py reads its report).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import sys
import time
import traceback

from harness.model.facts import PAGE_SERVER_URL
from harness.model.site import SITE
from harness.processes import answers_health


@functools.cache
def healthy(url: str, timeout: float) -> bool:
    """Whether ``url``/health answers 200 within ``timeout`` seconds (asked once per run)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answers_health(url):
            return True
        time.sleep(0.3)
    return False


def run(snippet: str, server: str | None, server_timeout: float = 300) -> dict:
    code = SITE.snippet_text(snippet)
    if server and PAGE_SERVER_URL in code:
        if not healthy(server, server_timeout):
            error = f"not run: the server at {server} did not answer /health"
            error += f" in {server_timeout:g} s"
            return {"snippet": snippet, "ok": False, "error": error, "printed": ""}
        code = code.replace(PAGE_SERVER_URL, server)
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(code, str(SITE.snippets / snippet), "exec"), {"__name__": "__main__"})
    except BaseException as exc:  # noqa: BLE001 - every failure is reported, none hidden
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return {"snippet": snippet, "ok": False, "error": error, "printed": printed.getvalue()}
    return {"snippet": snippet, "ok": True, "error": "", "printed": printed.getvalue()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--server")
    parser.add_argument("--server-timeout", type=float, default=300)
    parser.add_argument("snippets", nargs="+")
    args = parser.parse_args()
    for snippet in args.snippets:
        result = run(snippet, args.server, args.server_timeout)
        print(json.dumps(result), file=sys.__stdout__, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
