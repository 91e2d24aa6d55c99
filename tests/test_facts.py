"""Figures the pages state about Qwen2-7B-Instruct, computed here from its architecture.

The parameter count comes from building the model on PyTorch's meta device (no memory, no
weights) from its config.json (harness/qwen2/qwen2-7b-instruct/); the KV cache and
tensor-parallel figures from the same sizes. Each figure must appear, as computed, in the
section of every language.
"""

from __future__ import annotations

import re
import shlex

import pytest

from harness.qwen2.facts import (
    GPU_RESERVE_GIB,
    HEAD_DIM,
    KV_BYTES_PER_TOKEN,
    MODEL_CONFIG,
)
from harness.qwen2.memory import (
    CARDS_GIB,
    FORMATS,
    fits,
    int8_scales,
    nf4_scales,
    parameters,
    stored,
    weights_in_bits,
)
from harness.site.pages import LANGS, SITE

GiB = 1 << 30
SIZE = MODEL_CONFIG
CONTEXT = MODEL_CONFIG["max_position_embeddings"]
KV_PER_TOKEN = KV_BYTES_PER_TOKEN


def figures(lang: str) -> list[str]:
    n = parameters()
    count = f"{n / 1e9:.1f} billion" if lang == "en" else f"{n / 1e8:.0f} 亿"
    return [
        count,
        f"{2 * n / 1e9:.1f} GB",
        f"{2 * n / GiB:.1f} GiB",
        f"{SIZE['num_hidden_layers']} ",
        f"{SIZE['num_key_value_heads']} ",
        f"{HEAD_DIM} ",
        f"{KV_PER_TOKEN // 1024} KiB",
        f"{CONTEXT:,}",
        f"{CONTEXT * KV_PER_TOKEN / GiB:.2f} GiB",
    ]


def served_length() -> int:
    argv = shlex.split(SITE.snippet_text("vllm/serve_max_model_len.sh"))
    return int(argv[argv.index("--max-model-len") + 1])


@pytest.mark.parametrize("lang", LANGS)
def test_memory_figures_are_computed(lang):
    page = SITE.page("vllm", lang)
    text = page.section("gpu-memory")
    shorter = served_length()
    expected = [
        *figures(lang),
        f"{shorter:,}",
        f"{shorter * KV_PER_TOKEN / GiB:.2f} GiB",
    ]
    missing = [f for f in expected if f not in text]
    assert not missing, f"{page.rel} #gpu-memory does not state {missing} (computed here)"


def tensor_parallel_sizes(up_to: int = 8) -> list[int]:
    """The GPU counts vLLM accepts for the model: they divide the attention heads, and divide or
    are a multiple of the key-value heads."""
    heads, kv = SIZE["num_attention_heads"], SIZE["num_key_value_heads"]
    return [
        tp
        for tp in range(2, up_to + 1)
        if heads % tp == 0 and (kv % tp == 0 if tp <= kv else tp % kv == 0)
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_tensor_parallel_sizes_are_computed(lang):
    sizes = tensor_parallel_sizes()
    assert sizes == [2, 4]
    page = SITE.page("vllm", lang)
    text = page.section("tensor-parallel")
    heads = SIZE["num_attention_heads"]
    for fact in (f"{heads} ", f"{SIZE['num_key_value_heads']} ", *(f"{s} " for s in sizes)):
        assert fact in text, f"{page.rel} #tensor-parallel does not state {fact!r}"
    # The example uses a valid size, and the quoted error names one that is not.
    argv = shlex.split(SITE.snippet_text("vllm/serve_tensor_parallel.sh"))
    assert int(argv[argv.index("--tensor-parallel-size") + 1]) in sizes
    quoted = re.search(
        rf"attention heads \({heads}\) must be divisible by tensor parallel size \((\d+)\)", text
    )
    assert quoted, f"{page.rel} #tensor-parallel no longer quotes vLLM's error"
    assert int(quoted[1]) not in sizes and heads % int(quoted[1]), "the quoted size is valid"


def quantized_figures() -> dict[str, str]:
    context = served_length()
    kv = context * KV_PER_TOKEN
    out = {}
    for fmt in FORMATS:
        out[f"{fmt} weights"] = f"{stored(fmt) / 1e9:.1f} GB"
        out[f"{fmt} with KV"] = f"{(stored(fmt) + kv) / 1e9:.1f} GB"
    out["NF4 scales"] = f"{nf4_scales() / 1e9:.2f} GB"
    out["int8 scales"] = f"{int8_scales() / 1e6:.0f} MB"
    out["4-bit footprint"] = f"{weights_in_bits(4) / 1e9:.2f} GB"
    out["reserve"] = f"{GPU_RESERVE_GIB} GiB"
    out["KV per token"] = f"{KV_PER_TOKEN // 1024} KiB"
    out["KV at 8,192"] = f"{kv / GiB:.2f} GiB"
    out["KV at 8,192 in GB"] = f"{kv / 1e9:.2f} GB"
    out["KV at full context"] = f"{CONTEXT * KV_PER_TOKEN / GiB:.2f} GiB"
    out["8-bit over 4-bit"] = f"{round((stored('8-bit') / stored('4-bit') - 1) * 100, -1):.0f}%"
    return out


def card_rows() -> list[str]:
    return [
        f"| {card} GB | " + " | ".join("✓" if fits(card, f) else "✗" for f in FORMATS) + " |"
        for card in CARDS_GIB
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_quantized_memory_figures_are_computed(lang):
    """The quantized page's tables and the home page's hardware table state the weights in each
    format, computed here from the model's architecture, the KV cache per token, and which card
    each format fits."""
    figures_ = quantized_figures()
    memory = " ".join(SITE.page("quantized", lang).section("memory").split())
    missing = [
        f"{k}: {v}" for k, v in figures_.items() if k != "8-bit over 4-bit" and v not in memory
    ]
    assert not missing, f"docs/quantized #memory does not state {missing} (computed here)"
    table = SITE.page("quantized", lang).section("memory").splitlines()
    wrong = [row for row in card_rows() if row not in table]
    assert not wrong, f"docs/quantized #memory: the card table lacks {wrong} (computed here)"
    whole = " ".join(" ".join(SITE.page("quantized", lang).lines).split())
    assert figures_["8-bit over 4-bit"] in whole, figures_["8-bit over 4-bit"]
    hardware = " ".join(SITE.page("index", lang).section("hardware").split())
    wanted = [figures_[f"{f} weights"] for f in FORMATS] + [figures_["KV per token"]]
    missing = [f for f in wanted if f not in hardware]
    assert not missing, f"the home page's #hardware does not state {missing} (computed here)"
    # Each row of the home page's table sends a card size to the smallest format that fits it.
    for fmt, first in (("bfloat16", 24), ("8-bit", 12), ("4-bit", 8)):
        assert min(c for c in CARDS_GIB if fits(c, fmt)) == first, fmt


def test_each_notebook_names_the_smallest_card_it_fits():
    """The GPU each notebook asks for (harness/site/paths.py NOTEBOOK_GPU) is the smallest card
    that holds its format, by the same sums as the quantized page's card table."""
    from harness.site.paths import NOTEBOOK_GPU

    for fmt, texts in NOTEBOOK_GPU.items():
        smallest = min(c for c in CARDS_GIB if fits(c, fmt))
        for lang, text in texts.items():
            assert f"{smallest} GB" in text, (fmt, lang, text)


def test_the_advice_counts_the_served_context():
    """The KV cache the memory advice counts is the one the page's shorter vLLM command serves."""
    from harness.qwen2.memory import CONTEXT

    assert CONTEXT == served_length()


def test_calculator_figures_are_computed():
    """harness/qwen2/memory.json, the home page's calculator, holds what harness/qwen2/memory.py
    computes (the GGUF sizes are llama-quantize's: tests/pages/test_llamacpp.py)."""
    import json

    from harness.qwen2 import memory

    recorded = json.loads(memory.DATA.read_text(encoding="utf-8"))
    gguf = {f["id"]: f["bytes"] for f in recorded["formats"] if f["route"] == "llamacpp"}
    assert recorded == memory.data(gguf), f"{memory.DATA}: run `python -m harness.tools.memory`"


@pytest.mark.parametrize("lang", LANGS)
def test_every_route_page_sends_readers_to_the_calculator(lang):
    """The page of each route the calculator names has the section it links to, and links back."""
    from harness.hooks.calculator import PAGES

    for target in PAGES.values():
        name, anchor = target.removesuffix(".md").replace(".md#", "#").split("#")
        page = SITE.page(name, lang)
        assert page.section(anchor).strip(), f"{page.rel}: no #{anchor} for the calculator"
        assert "(index.md#fit)" in "\n".join(page.lines), f"{page.rel}: no link to the calculator"


@pytest.mark.parametrize("lang", LANGS)
def test_the_calculator_says_how_gib_and_gb_differ(lang):
    """The tables give GB, the calculator GiB: the home page says once how they differ."""
    text = " ".join(SITE.page("index", lang).section("fit").split())
    assert f"1 GiB {'is' if lang == 'en' else '等于'} {GiB / 1e9:.3f} GB" in text, text
