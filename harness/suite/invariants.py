"""What a correct Qwen2 chat call looks like, checked on every run of every snippet.

With random weights the answer's text means nothing, but the call can still be right or wrong.
While a snippet runs, harness/suite/recording.py watches what it hands to ``generate``, what the
tokenizer decodes, what the streamers emit, what it prints and what goes over HTTP; afterwards every
invariant in INVARIANTS is checked against that record. A planted defect that raises nothing (no
generation prompt, right padding, special tokens in the answer, a stream that does not stream)
fails here, whichever snippet carries it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from harness.qwen2.facts import (
    GENERATION_PROMPT_IDS,
    MODEL_ID,
    OLLAMA_TAG,
    QWEN3_NO_THINKING_PROMPT_IDS,
    SPECIAL_TOKEN_IDS,
)

SPECIAL_TOKENS = tuple(SPECIAL_TOKEN_IDS)


@dataclass
class Exchange:
    """One HTTP request to the chat server and what came back."""

    request: dict
    content_type: str
    body: str

    @property
    def events(self) -> list[str]:
        return [ln[len("data: ") :] for ln in self.body.splitlines() if ln.startswith("data: ")]

    @property
    def answer(self) -> str:
        if not self.request.get("stream"):
            reply = json.loads(self.body)
            return "".join(c["message"].get("content") or "" for c in reply.get("choices", []))
        chunks = [json.loads(e) for e in self.events if e != "[DONE]"]
        return "".join(
            c["choices"][0]["delta"].get("content") or "" for c in chunks if c.get("choices")
        )


@dataclass
class Record:
    """What one run of a snippet did."""

    generate_calls: list[dict] = field(default_factory=list)
    decoded: list[str] = field(default_factory=list)
    streamed: dict[int, str] = field(default_factory=dict)
    exchanges: list[Exchange] = field(default_factory=list)
    printed: str = ""
    shows_prompt: bool = False  # the snippet's declared output is a prompt (special tokens in it)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


@dataclass(frozen=True)
class Invariant:
    name: str
    check: Callable[[Record], list[str]]


def _rows(call: dict) -> list[list[int]]:
    return call["input_ids"].tolist()


def generation_prompt_is_last(rec: Record) -> list[str]:
    bad = []
    for n, call in enumerate(rec.generate_calls, 1):
        for r, row in enumerate(_rows(call)):
            cues = (GENERATION_PROMPT_IDS, QWEN3_NO_THINKING_PROMPT_IDS)
            if all(row[-len(cue) :] != cue for cue in cues):
                bad.append(
                    f"generate call {n}, row {r}: the prompt ends with ids "
                    f"{row[-len(GENERATION_PROMPT_IDS) :]}, not <|im_start|>assistant\\n "
                    f"{GENERATION_PROMPT_IDS} (add_generation_prompt=True, padding on the left)"
                )
    return bad


def attention_mask_goes_with_the_ids(rec: Record) -> list[str]:
    bad = []
    for n, call in enumerate(rec.generate_calls, 1):
        mask = call.get("attention_mask")
        if mask is None:
            bad.append(f"generate call {n}: input_ids without attention_mask")
        elif tuple(mask.shape) != tuple(call["input_ids"].shape):
            bad.append(f"generate call {n}: attention_mask {tuple(mask.shape)} does not match ids")
        elif not bool((mask[:, -1] == 1).all()):
            bad.append(f"generate call {n}: the last prompt position is masked out (padding)")
    return bad


def _specials(text: str) -> list[str]:
    return [t for t in SPECIAL_TOKENS if t in text]


def decoded_text_has_no_special_tokens(rec: Record) -> list[str]:
    return [
        f"decoded text contains {_specials(t)}: {t[-80:]!r} (skip_special_tokens=True)"
        for t in rec.decoded
        if _specials(t)
    ]


def streamed_text_is_the_answer_only(rec: Record) -> list[str]:
    bad = []
    prompts = [call["prompt_text"] for call in rec.generate_calls if call.get("prompt_text")]
    for text in rec.streamed.values():
        if _specials(text):
            bad.append(f"a streamer emitted {_specials(text)} (skip_special_tokens=True)")
        if any(p and text.startswith(p[:40]) for p in prompts):
            bad.append(f"a streamer emitted the prompt: {text[:60]!r}... (skip_prompt=True)")
    return bad


def printed_answer_has_no_special_tokens(rec: Record) -> list[str]:
    if rec.shows_prompt or not _specials(rec.printed):
        return []
    return [f"the snippet printed {_specials(rec.printed)}: {rec.printed[-120:]!r}"]


def requests_are_chats_with_the_model(rec: Record) -> list[str]:
    bad = []
    for ex in rec.exchanges:
        req = ex.request
        if req.get("model") not in (MODEL_ID, OLLAMA_TAG):
            bad.append(f"request names model {req.get('model')!r}, not {MODEL_ID!r}")
        messages = req.get("messages") or []
        if not messages or messages[-1].get("role") != "user":
            bad.append("request's messages do not end with the user's turn")
    return bad


def streamed_requests_stream(rec: Record) -> list[str]:
    bad = []
    for ex in rec.exchanges:
        if not ex.request.get("stream"):
            continue
        if ex.content_type and not ex.content_type.startswith("text/event-stream"):
            bad.append(f"stream=true answered with {ex.content_type!r}, not an event stream")
        chunks = [e for e in ex.events if e != "[DONE]"]
        if len(chunks) < 2:
            bad.append(f"stream=true answered with {len(chunks)} event(s): {ex.body[:120]!r}")
    return bad


def answers_have_no_special_tokens(rec: Record) -> list[str]:
    bad = []
    for ex in rec.exchanges:
        try:
            answer = ex.answer
        except (ValueError, KeyError, IndexError) as err:
            bad.append(f"the server's answer does not parse: {err}: {ex.body[:120]!r}")
            continue
        if not answer.strip():
            bad.append("the server's answer is empty")
        elif _specials(answer):
            bad.append(f"the server's answer contains {_specials(answer)}")
    return bad


INVARIANTS = [
    Invariant("the prompt ends with the generation prompt", generation_prompt_is_last),
    Invariant("the attention mask goes with the ids", attention_mask_goes_with_the_ids),
    Invariant("decoded text has no special tokens", decoded_text_has_no_special_tokens),
    Invariant("a streamer emits the answer only", streamed_text_is_the_answer_only),
    Invariant("printed answers have no special tokens", printed_answer_has_no_special_tokens),
    Invariant("requests are chats with the served model", requests_are_chats_with_the_model),
    Invariant("a streamed request streams", streamed_requests_stream),
    Invariant("server answers are text without special tokens", answers_have_no_special_tokens),
]


def violations(rec: Record) -> list[str]:
    return [f"{inv.name}: {p}" for inv in INVARIANTS for p in inv.check(rec)]
