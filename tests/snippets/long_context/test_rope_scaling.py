import json
import math

import pytest

from harness.qwen2 import standin
from harness.qwen2.facts import MODEL_CONFIG


def test_transformers_builds_yarn_from_the_config_entry(snippet, tmp_path):
    """The page's entry merged into the stand-in's config.json, loaded by transformers."""
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
