"""Run Python snippets each in a namespace of its own, in one new interpreter, as a reader who
pastes a block into a new Python session would: no name from another block is defined.

    python -m harness.suite.standalone [--server URL] SNIPPET...

Prints one JSON line per snippet: {"snippet", "ok", "error", "printed"}. The interpreter is shared
by the snippets one after another (imports are paid once), never their names. With --server, the
page's address http://localhost:8000 is replaced by URL, after waiting for URL/health.

The test suite starts this at collection, so that it runs beside the other tests
(harness/suite/background.py; tests/snippets/test_standalone.py reads its report).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import time
import traceback
import urllib.request

from harness.model.facts import PAGE_SERVER_URL
from harness.model.site import SITE


def wait_for(url: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1):
                return
        except OSError:
            time.sleep(0.3)


def run(snippet: str, server: str | None) -> dict:
    code = SITE.snippet_text(snippet)
    if server and PAGE_SERVER_URL in code:
        wait_for(server)
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
    parser.add_argument("snippets", nargs="+")
    args = parser.parse_args()
    for snippet in args.snippets:
        print(json.dumps(run(snippet, args.server)), file=sys.__stdout__, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
