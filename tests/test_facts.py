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
import torch

from harness.qwen2.facts import HEAD_DIM, KV_BYTES_PER_TOKEN, MODEL_CONFIG
from harness.qwen2.shapes import meta_model
from harness.site.pages import LANGS, SITE

GiB = 1 << 30
SIZE = MODEL_CONFIG
CONTEXT = MODEL_CONFIG["max_position_embeddings"]
KV_PER_TOKEN = KV_BYTES_PER_TOKEN


def parameters() -> int:
    return sum(p.numel() for p in meta_model().parameters())


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
    page = SITE.page("quickstart", lang)
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
    page = SITE.page("quickstart", lang)
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


def weights_in_bits(bits: int) -> int:
    """Bytes of the weights with every linear layer but the output layer stored in ``bits`` bits
    (as bitsandbytes, AWQ and GPTQ quantize), the rest in bfloat16; scales not counted."""
    quantized = sum(
        m.weight.numel()
        for name, m in meta_model().named_modules()
        if isinstance(m, torch.nn.Linear) and name != "lm_head"
    )
    return quantized * bits // 8 + (parameters() - quantized) * 2


def quantized_figures() -> dict[str, str]:
    context = served_length()
    kv = context * KV_PER_TOKEN
    out = {}
    for bits in (16, 8, 4):
        weights = weights_in_bits(bits)
        out[f"{bits}-bit weights"] = f"{weights / 1e9:.1f} GB"
        out[f"{bits}-bit with KV"] = f"{(weights + kv) / 1e9:.1f} GB"
    out["KV per token"] = f"{KV_PER_TOKEN // 1024} KiB"
    out["KV at 8,192"] = f"{kv / GiB:.2f} GiB"
    out["KV at 8,192 in GB"] = f"{kv / 1e9:.2f} GB"
    out["KV at full context"] = f"{CONTEXT * KV_PER_TOKEN / GiB:.2f} GiB"
    out["8-bit over 4-bit"] = (
        f"{round((weights_in_bits(8) / weights_in_bits(4) - 1) * 100, -1):.0f}%"
    )
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_quantized_memory_figures_are_computed(lang):
    """The quantized page's table and the home page's hardware table state the weights in each
    precision, computed here from the model's architecture, and the KV cache per token."""
    figures_ = quantized_figures()
    memory = " ".join(SITE.page("quantized", lang).section("memory").split())
    missing = [
        f"{k}: {v}" for k, v in figures_.items() if k != "8-bit over 4-bit" and v not in memory
    ]
    assert not missing, f"docs/quantized #memory does not state {missing} (computed here)"
    whole = " ".join(" ".join(SITE.page("quantized", lang).lines).split())
    assert figures_["8-bit over 4-bit"] in whole, figures_["8-bit over 4-bit"]
    hardware = " ".join(SITE.page("index", lang).section("hardware").split())
    wanted = [figures_[f"{b}-bit weights"] for b in (16, 8, 4)] + [figures_["KV per token"]]
    missing = [f for f in wanted if f not in hardware]
    assert not missing, f"the home page's #hardware does not state {missing} (computed here)"
