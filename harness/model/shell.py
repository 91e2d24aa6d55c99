"""What a shell snippet sends: the JSON bodies of its curl commands (the integrity rules check
that they parse; the runner checks each request against the invariants of a chat call)."""

from __future__ import annotations

import shlex


def curl_json_bodies(text: str) -> list[tuple[str, str]]:
    """(flag, body) for every JSON body a shell command sends with curl's -d/--data/--json."""
    argv = shlex.split(text.replace("\\\n", " "), comments=True)
    return [
        (flag, body)
        for flag, body in zip(argv, argv[1:], strict=False)
        if flag in {"-d", "--data", "--data-raw", "--json"}
    ]
