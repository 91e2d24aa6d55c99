"""Qwen3 without thinking: the prompt ends with an empty thinking block, and the sampling is the
one the page states for this mode (the model card's, not generation_config.json's)."""

import pytest

from harness.qwen2.facts import QWEN3_NO_THINKING_PROMPT_IDS
from harness.site.pages import LANGS, SITE


def test_the_prompt_ends_with_an_empty_thinking_block(run):
    ids = run.namespace["model_inputs"].input_ids[0].tolist()
    assert ids[-len(QWEN3_NO_THINKING_PROMPT_IDS) :] == QWEN3_NO_THINKING_PROMPT_IDS
    assert run.namespace["text"].endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_explains_the_sampling_it_passes(run, lang):
    (call,) = run.record.generate_calls
    assert call["kwargs"] == {
        "max_new_tokens": 512,
        "temperature": 0.7,
        "top_p": 0.8,
        "top_k": 20,
        "min_p": 0.0,
    }
    text = " ".join(SITE.page("after-qwen2", lang).section("thinking").split())
    assert "0.6" in text and "0.95" in text, "the thinking mode's values"
