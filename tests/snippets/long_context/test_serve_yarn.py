import json

from harness.site.pages import SITE


def entry() -> dict:
    """The page's config.json entry, the form the model card gives and transformers reads."""
    return json.loads(SITE.snippet_text("long_context/rope_scaling.json"))["rope_scaling"]


def test_vllm_builds_yarn_for_131072_tokens(served, vllm_cli, snippet):
    """The configuration vLLM builds from the command: YaRN with the entry's factor and
    original length, over the whole length the command allows."""
    built = vllm_cli["commands"][snippet.name]["model"]
    assert isinstance(built, dict), f"{snippet.where()}: vLLM {vllm_cli['version']}: {built}"
    scaling = entry()
    longest = int(scaling["original_max_position_embeddings"] * scaling["factor"])
    assert served["max_model_len"] == built["max_model_len"] == longest
    rope = {k: v for k, v in built["rope"].items() if k != "rope_theta"}
    assert rope == {**{k: v for k, v in scaling.items() if k != "type"}, "rope_type": "yarn"}


def test_the_forms_the_page_warns_against_stop_vllm(vllm_cli):
    """What the page says of the model card's key and of leaving max_position_embeddings out
    (tests/snippets/conftest.py VARIANTS builds both from the page's command)."""
    commands = vllm_cli["commands"]
    key = commands["long_context/serve_yarn.sh with the model card's key"]["model"]
    assert key == "KeyError: 'rope_type'", key
    short = commands["long_context/serve_yarn.sh without max_position_embeddings"]["model"]
    assert "User-specified max_model_len (131072) is greater than the derived" in short, short
    for quoted in ("KeyError: 'rope_type'", "User-specified max_model_len (131072) is greater"):
        for lang in ("en", "zh"):
            page = SITE.page("long-context", lang)
            assert quoted in " ".join(page.lines), f"{page.rel} does not quote {quoted!r}"
