"""Qwen3 without thinking: the prompt ends with an empty thinking block, and the sampling is the
one the page states for this mode (the model card's, not generation_config.json's)."""

import ast

import pytest

from harness.qwen2.facts import QWEN3_NO_THINKING_PROMPT_IDS
from harness.site.pages import LANGS, SITE


def sampling(source: str) -> dict:
    call = next(
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "generate"
    )
    return {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}


def test_the_prompt_ends_with_an_empty_thinking_block(run):
    ids = run.namespace["model_inputs"].input_ids[0].tolist()
    assert ids[-len(QWEN3_NO_THINKING_PROMPT_IDS) :] == QWEN3_NO_THINKING_PROMPT_IDS
    assert run.namespace["text"].endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_explains_the_sampling_it_passes(snippet, lang):
    values = sampling(snippet.source())
    assert values == {
        "max_new_tokens": 512,
        "temperature": 0.7,
        "top_p": 0.8,
        "top_k": 20,
        "min_p": 0.0,
    }
    text = " ".join(SITE.page("after-qwen2", lang).section("thinking").split())
    assert "0.6" in text and "0.95" in text, "the thinking mode's values"
