"""How much memory Qwen2-7B-Instruct needs in each format, computed from its shapes
(harness/qwen2/shapes.py): the figures of the quantized page's tables, the home page's hardware
table, the notebooks' GPU notes and the machine check's routes (tests/test_facts.py and
tests/snippets/check/ compare each with this)."""

from __future__ import annotations

import functools

from harness.qwen2.facts import GPU_RESERVE_GIB, KV_BYTES_PER_TOKEN, NF4_BLOCK, NF4_SCALE_BYTES
from harness.qwen2.shapes import meta_model

GiB = 1 << 30
FORMATS = ("bfloat16", "8-bit", "4-bit")
CARDS_GIB = (8, 12, 16, 24)
CONTEXT = 8192  # the KV cache the advice counts: vllm/serve_max_model_len.sh's --max-model-len


@functools.cache
def parameters() -> int:
    return sum(p.numel() for p in meta_model().parameters())


def _quantized_linears():
    import torch

    return [
        m
        for name, m in meta_model().named_modules()
        if isinstance(m, torch.nn.Linear) and name != "lm_head"
    ]


@functools.cache
def linear_weights() -> int:
    """The weights bitsandbytes, AWQ and GPTQ quantize: every linear layer but the output layer."""
    return sum(m.weight.numel() for m in _quantized_linears())


def weights_in_bits(bits: int) -> int:
    """Bytes of the weights with the linear layers stored in ``bits`` bits, the rest in
    bfloat16; scales not counted (what get_memory_footprint() reports for bitsandbytes)."""
    return linear_weights() * bits // 8 + (parameters() - linear_weights()) * 2


def nf4_scales() -> int:
    """NF4's scales: one float32 per block of 64 weights."""
    return -(-linear_weights() // NF4_BLOCK) * NF4_SCALE_BYTES


def int8_scales() -> int:
    """LLM.int8()'s scales: one float32 per output row of each 8-bit layer."""
    return sum(m.weight.shape[0] for m in _quantized_linears()) * 4


def stored(fmt: str) -> int:
    """Bytes the weights take on the device in each format."""
    return {
        "bfloat16": weights_in_bits(16),
        "8-bit": weights_in_bits(8) + int8_scales(),
        "4-bit": weights_in_bits(4) + nf4_scales(),
    }[fmt]


def need_gib(fmt: str, context: int = CONTEXT) -> float:
    """GiB a GPU needs: the weights, the KV cache for ``context`` tokens and the reserve."""
    return (stored(fmt) + context * KV_BYTES_PER_TOKEN) / GiB + GPU_RESERVE_GIB


def fits(card_gib: float, fmt: str) -> bool:
    return need_gib(fmt) <= card_gib
