"""Qwen3 served by vLLM, as vLLM itself reads the page's command on a CPU: the options it sets,
the configuration it builds from the Qwen3-8B stand-in (its architecture is one vLLM serves), the
reasoning parser it names, and the field the answer's thinking comes back in."""

import pytest

from harness.site.pages import LANGS, SITE


def test_sets_what_the_page_says(sets):
    sets(model_tag="Qwen/Qwen3-8B", reasoning_parser="qwen3", max_model_len=32768)


def test_vllm_builds_the_models_configuration(vllm_cli, snippet):
    built = vllm_cli["commands"][snippet.name]["model"]
    assert isinstance(built, dict), f"{snippet.where()}: vLLM {vllm_cli['version']}: {built}"
    assert built["max_model_len"] == 32768 and built["dtype"] == "torch.bfloat16", built


@pytest.mark.parametrize("lang", LANGS)
def test_the_thinking_comes_back_where_the_page_says(vllm_cli, lang):
    reasoning = vllm_cli["reasoning"]
    assert reasoning["parsers"] == {"qwen3": True}
    assert "reasoning" in reasoning["message"] and "reasoning_content" not in reasoning["message"]
    assert "chat_template_kwargs" in reasoning["request"]
    text = " ".join(SITE.page("after-qwen2", lang).section("vllm").split())
    facts = ("`reasoning`", "`reasoning_content`", "chat_template_kwargs", vllm_cli["version"])
    for fact in facts:
        assert fact in text, f"docs/after-qwen2 ({lang}) #vllm: no {fact}"
