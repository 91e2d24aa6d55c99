"""Qwen3's thinking block: the page's split_thinking cuts an answer at its last </think>, which
is an ordinary token that skip_special_tokens keeps; without one, everything is the answer."""

import pytest

from harness.qwen2 import successors
from harness.site.pages import LANGS, SITE

_, QWEN3 = successors.SUCCESSORS


def test_splits_the_thinking_from_the_answer(run):
    tokenizer, split = run.namespace["tokenizer"], run.namespace["split_thinking"]
    ids = tokenizer.encode("<think>\nThe user asks about LLMs.\n</think>\n\nThey predict text.")
    assert split(ids + [tokenizer.convert_tokens_to_ids("<|im_end|>")]) == (
        "The user asks about LLMs.",
        "They predict text.",
    )
    assert split(tokenizer.encode("Just an answer.")) == ("", "Just an answer.")
    think, end = tokenizer.convert_tokens_to_ids(["<think>", "</think>"])
    assert end == 151668 and run.namespace["end_of_thinking"] == end
    tokens = successors.added_tokens(QWEN3)
    assert tokens["<think>"] == (think, False) and tokens["</think>"] == (end, False)
    assert "<think>" in tokenizer.decode(ids, skip_special_tokens=True)


def test_splits_at_the_last_end_of_thinking(run):
    """Its docstring's case: a reply with more than one </think> is cut at the last one; a reply
    cut off inside its thinking (no </think>) is all answer, <think> and all."""
    tokenizer, split = run.namespace["tokenizer"], run.namespace["split_thinking"]
    ids = tokenizer.encode("<think>\nFirst.\n</think>\n<think>\nSecond.\n</think>\n\nDone.")
    thinking, answer = split(ids)
    assert answer == "Done." and "First." in thinking and "Second." in thinking, (thinking, answer)
    cut = tokenizer.encode("<think>\nThe user asks about LLMs, so")
    assert split(cut) == ("", "<think>\nThe user asks about LLMs, so")


def test_thinking_is_the_templates_default(run):
    """With and without enable_thinking=True the prompt is the same; with it False, the
    template closes an empty thinking block itself."""
    tokenizer, messages = run.namespace["tokenizer"], run.namespace["messages"]

    def prompt(**kw):
        return tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True, **kw
        )

    assert prompt() == prompt(enable_thinking=True) == run.namespace["text"]
    assert prompt(enable_thinking=False) == prompt() + "<think>\n\n</think>\n\n"


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_states_the_thinking_sampling_the_model_ships(lang):
    """Thinking mode's sampling, as the page states it, is Qwen3-8B's generation_config.json."""
    import json

    config = json.loads(successors.files(QWEN3)["generation_config.json"])
    text = " ".join(SITE.page("after-qwen2", lang).section("thinking").split())
    for value in (config["temperature"], config["top_p"], config["top_k"]):
        assert f" {value}" in text, f"docs/after-qwen2 ({lang}) #thinking: no {value}"
