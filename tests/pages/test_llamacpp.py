"""The llama.cpp page's figures: the GGUF sizes as llama-quantize computes them for the real
model's tensor shapes, and the KV cache for the serve command's context."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness import llamacpp
from harness.qwen2 import memory
from harness.qwen2.facts import KV_BYTES_PER_TOKEN, MODEL_CONFIG
from harness.site import shell
from harness.site.pages import LANGS, SITE

# The quantizations the llama.cpp page lists, as llama-quantize names them.
QUANT_TYPES = ("Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M", "Q2_K")


@pytest.fixture(scope="module")
def shaped_like_qwen2_7b(tmp_path_factory) -> Path:
    """Qwen2-7B-Instruct's shapes in a sparse 16-bit GGUF file (harness/llamacpp.py)."""
    return llamacpp.shaped_gguf(tmp_path_factory.mktemp("gguf") / "qwen2-7b-shaped-f16.gguf")


@pytest.fixture(scope="module")
def gguf_sizes(shaped_like_qwen2_7b) -> dict[str, tuple[float, str]]:
    """Each quantization the page lists: (bytes of weights, bits per weight), computed once."""
    types = dict.fromkeys(QUANT_TYPES + memory.GGUF_TYPES)
    return {t: llamacpp.quantized_size(shaped_like_qwen2_7b, t) for t in types}


@pytest.mark.parametrize("lang", LANGS)
def test_gguf_sizes_are_computed_by_llama_quantize(lang, gguf_sizes):
    """The llama.cpp page's table of quantizations and the home page's hardware table state
    what llama-quantize computes for the real model's tensor shapes."""
    page = SITE.page("llamacpp", lang)
    table = page.section("download")
    rows = [
        f"| `{t.lower()}` | {gguf_sizes[t][1]} | {gguf_sizes[t][0] / 1e9:.1f} GB |"
        for t in QUANT_TYPES
    ]
    missing = [r for r in rows if r not in table]
    assert not missing, f"{page.rel} #download does not state {missing} (computed here)"
    q4 = f"{gguf_sizes['Q4_K_M'][0] / 1e9:.1f} GB"
    hardware = SITE.page("index", lang).section("hardware")
    assert q4 in hardware, f"the home page's #hardware ({lang}) does not state {q4} for Q4_K_M"


def test_calculator_states_llama_quantizes_sizes(gguf_sizes):
    """The home page's calculator (harness/qwen2/memory.json) holds the GGUF sizes llama-quantize
    computes for the real model's shapes."""
    import json

    recorded = json.loads(memory.DATA.read_text(encoding="utf-8"))["formats"]
    sizes = {f["id"]: f["bytes"] for f in recorded if f["route"] == "llamacpp"}
    computed = {t: round(gguf_sizes[t][0]) for t in memory.GGUF_TYPES}
    assert sizes == computed, f"{memory.DATA}: run `python -m harness.tools.memory`"


@pytest.mark.parametrize("lang", LANGS)
def test_kv_cache_figures_follow_the_commands_context(lang):
    argv = shell.argv(SITE.snippet_text("llamacpp/serve.sh"))
    context = int(argv[argv.index("-c") + 1])
    full = MODEL_CONFIG["max_position_embeddings"]
    page = SITE.page("llamacpp", lang)
    kv = f"{context * KV_BYTES_PER_TOKEN / 2**30:.2f} GiB"
    for anchor in ("download", "serve"):
        assert f"{context:,}" in page.section(anchor) and kv in page.section(anchor), anchor
    serve = page.section("serve")
    assert f"{full:,}" in serve and f"{full * KV_BYTES_PER_TOKEN / 2**30:.2f} GiB" in serve
    layers = MODEL_CONFIG["num_hidden_layers"]
    assert re.search(rf"\b{layers}\b", serve), f"{page.rel} #serve: -ngl's layer count"


@pytest.mark.parametrize("lang", LANGS)
def test_speed_estimates_are_computed(lang, gguf_sizes):
    """#speed: generation reads every weight per token, so 50 GB/s bounds it at the weights'
    size: Q4_K_M's as llama-quantize computes it, and bfloat16's."""
    from harness.qwen2.memory import stored

    text = " ".join(SITE.page("llamacpp", lang).section("speed").split())
    bandwidth = 50e9
    q4 = gguf_sizes["Q4_K_M"][0]
    for figure in (
        f"{q4 / 1e9:.1f} GB",
        f"{stored('bfloat16') / 1e9:.1f} GB",
        f"{int(bandwidth / 1e9)} GB/s",
    ):
        assert figure in text, f"docs/llamacpp ({lang}) #speed: no {figure}"
    assert int(bandwidth / q4) == 10 and int(bandwidth / stored("bfloat16")) == 3


def test_measured_speeds_come_from_the_record(built_site):
    """The page shows verified/llamacpp-speed.json, or says that nothing was measured."""
    import json

    from harness.hooks import measured

    html = (built_site.folder / "llamacpp" / "index.html").read_text(encoding="utf-8")
    if not measured.RECORD.exists():
        assert "Not measured yet" in html
        return
    record = json.loads(measured.RECORD.read_text(encoding="utf-8"))
    assert set(record["runs"]) == {"Q8_0", "Q4_K_M", "Q4_0"}
    assert record["cpu"] in html and record["date"] in html
    for run in record["runs"].values():
        assert f"{run['generation_tps']:.1f}" in html
