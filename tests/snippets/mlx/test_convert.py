import json

from harness.qwen2.facts import MODEL_ID
from harness.site.pages import LANGS, SITE


def test_quantizes_to_4_bits_in_groups_of_64(mlx_runs):
    converted = mlx_runs.folder
    config = json.loads((converted / "config.json").read_text())
    quantization = config["quantization"]
    assert (quantization["bits"], quantization["group_size"]) == (4, 64), quantization
    # The chat template comes along, and the card says where the model came from.
    assert (converted / "chat_template.jinja").is_file() or "chat_template" in json.loads(
        (converted / "tokenizer_config.json").read_text()
    )
    assert MODEL_ID in (converted / "README.md").read_text()
    for lang in LANGS:
        text = " ".join(SITE.page("mlx", lang).section("convert").split())
        assert "4" in text and "64" in text, f"docs/mlx ({lang}) #convert: bits and group size"
