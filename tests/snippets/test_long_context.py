"""The long-context page: YaRN's configuration, loaded by transformers (the stand-in, with the
page's entry merged into its config.json) and the figures the page states, computed."""

from __future__ import annotations

import json
import math

import pytest

from harness import standin
from harness.model import shell
from harness.model.facts import KV_BYTES_PER_TOKEN, MODEL_CONFIG
from harness.model.site import LANGS, SITE


def rope_scaling() -> dict:
    return json.loads(SITE.snippet_text("long_context/rope_scaling.json"))["rope_scaling"]


@pytest.mark.snippet("long_context/rope_scaling.json")
def test_transformers_builds_yarn_from_the_config_entry(snippet, tmp_path):
    from transformers import AutoModelForCausalLM

    entry = json.loads(snippet.source())
    folder = standin.download_to(tmp_path / "Qwen2-7B-Instruct")
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps(config | entry, indent=2))
    model = AutoModelForCausalLM.from_pretrained(folder, dtype="auto")
    rotary = model.model.rotary_emb
    scaling = entry["rope_scaling"]
    assert rotary.rope_type == "yarn"
    # YaRN's attention factor for a stretch of 4: 0.1 * ln(4) + 1.
    assert rotary.attention_scaling == pytest.approx(0.1 * math.log(scaling["factor"]) + 1)
    assert scaling["original_max_position_embeddings"] == MODEL_CONFIG["max_position_embeddings"]
    theta = getattr(model.config, "rope_theta", None) or model.config.rope_parameters["rope_theta"]
    assert theta == MODEL_CONFIG["rope_theta"]


@pytest.mark.parametrize("lang", LANGS)
def test_long_context_figures_are_computed(lang):
    scaling = rope_scaling()
    native = scaling["original_max_position_embeddings"]
    longest = int(native * scaling["factor"])
    page = SITE.page("long-context", lang)
    text = " ".join(page.lines)
    for figure in (
        f"{native:,}",
        f"{longest:,}",
        f"{KV_BYTES_PER_TOKEN // 1024} KiB",
        f"{longest * KV_BYTES_PER_TOKEN / 2**30:.2f} GiB",
    ):
        assert figure in text, f"{page.rel} does not state {figure} (computed here)"
    # vLLM's command carries the same entry and the length it allows.
    argv = shell.argv(SITE.snippet_text("long_context/serve_yarn.sh"))
    assert json.loads(argv[argv.index("--hf-overrides") + 1]) == {"rope_scaling": scaling}
    assert int(argv[argv.index("--max-model-len") + 1]) == longest
