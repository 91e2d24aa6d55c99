"""A shell snippet as bash reads it (its words, its command lines), and what it sends: the JSON
bodies of its curl commands (the integrity rules check that they parse; the runner checks each
request against the invariants of a chat call)."""

from __future__ import annotations

import shlex


def argv(text: str) -> list[str]:
    """The words of a shell snippet as bash reads them: line continuations joined, comments
    (annotation markers among them) dropped."""
    return shlex.split(text.replace("\\\n", " "), comments=True)


def commands(text: str) -> list[list[str]]:
    """Each command line of a shell snippet as ``argv`` reads it; blank lines left out."""
    return [words for line in text.replace("\\\n", " ").splitlines() if (words := argv(line))]


def curl_json_bodies(text: str) -> list[tuple[str, str]]:
    """(flag, body) for every JSON body a shell command sends with curl's -d/--data/--json."""
    argv_ = argv(text)
    return [
        (flag, body)
        for flag, body in zip(argv_, argv_[1:], strict=False)
        if flag in {"-d", "--data", "--data-raw", "--json"}
    ]
