"""The invariants of a correct chat call catch defects that raise nothing.

Each plant edits a snippet the way a plausible mistake would, runs it in process (through the same
runner the snippet tests use), and expects the named invariant to fail it. The HTTP invariants are
also checked on hand-made exchanges, since a broken server cannot be planted in a snippet.
"""

from __future__ import annotations

import pytest

from harness.qwen2.facts import MODEL_ID
from harness.suite import invariants
from harness.suite.invariants import Exchange, Record
from harness.suite.runner import SnippetError

pytestmark = pytest.mark.timeout(120)

PLANTS = [
    pytest.param(
        # Without the generation prompt the stand-in rarely ends its answer: 8 tokens show it.
        {"add_generation_prompt=True": "add_generation_prompt=False", "=512": "=8"},
        "the prompt ends with the generation prompt",
        "transformers/multi_turn.py",
        id="no generation prompt",
    ),
    pytest.param(
        {"skip_special_tokens=True": "skip_special_tokens=False"},
        "decoded text has no special tokens",
        "transformers/multi_turn.py",
        id="special tokens in the answer",
    ),
    pytest.param(
        {"skip_special_tokens=True)": "skip_special_tokens=False)"},
        "a streamer emits the answer only",
        "transformers/text_streamer.py",
        id="streamer with special tokens",
    ),
    pytest.param(
        {"skip_prompt=True": "skip_prompt=False"},
        "a streamer emits the answer only",
        "transformers/text_iterator_streamer.py",
        id="streamer repeats the prompt",
    ),
    pytest.param(
        {'"left"': '"right"'},
        "the prompt ends with the generation prompt",
        "transformers/batch.py",
        id="right padding",
    ),
]


@pytest.mark.parametrize(("replace", "invariant", "snippet"), PLANTS)
def test_planted_defect_breaks_an_invariant(runner, replace, invariant, snippet):
    """The snippet as it is passes its own checks (snippets.toml); planted, it fails here."""
    with pytest.raises(SnippetError, match=invariant):
        runner.run(snippet, replace)


def chat(stream: bool = False, **extra) -> dict:
    request = {"model": MODEL_ID, "messages": [{"role": "user", "content": "Hi"}]}
    return {**request, **({"stream": True} if stream else {}), **extra}


SSE = "data: {}\n\ndata: {}\n\ndata: [DONE]\n\n"
CHUNK = '{"choices": [{"delta": {"content": "%s"}}]}'


def names(rec: Record) -> set[str]:
    return {v.split(":")[0] for v in invariants.violations(rec)}


def test_http_invariants_pass_a_good_exchange():
    good = Exchange(chat(stream=True), "text/event-stream", SSE.format(CHUNK % "Hel", CHUNK % "lo"))
    assert names(Record(exchanges=[good])) == set()


@pytest.mark.parametrize(
    ("exchange", "invariant"),
    [
        (
            Exchange(chat(stream=True), "application/json", '{"choices": []}'),
            "a streamed request streams",
        ),
        (
            Exchange(chat(stream=True), "text/event-stream", "data: " + CHUNK % "all" + "\n\n"),
            "a streamed request streams",
        ),
        (
            Exchange(chat(model="gpt-4"), "application/json", '{"choices": []}'),
            "requests are chats with the served model",
        ),
        (
            Exchange(
                chat(), "application/json", '{"choices": [{"message": {"content": "x<|im_end|>"}}]}'
            ),
            "server answers are text without special tokens",
        ),
    ],
)
def test_http_invariants_catch_a_bad_exchange(exchange, invariant):
    assert invariant in names(Record(exchanges=[exchange]))
