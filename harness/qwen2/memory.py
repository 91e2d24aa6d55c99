"""How much memory Qwen2-7B-Instruct needs in each format, computed from its shapes
(harness/qwen2/shapes.py): the figures of the quantized page's tables, the home page's hardware
table and memory calculator, the notebooks' GPU notes and the machine check's routes
(tests/test_facts.py and tests/snippets/check/ compare each with this).

The calculator's figures are written to memory.json beside this file by
`python -m harness.tools.memory` (it needs torch, and llama.cpp for the GGUF sizes), since the
site's build has neither; tests/test_facts.py fails when the file and this computation differ.
"""

from __future__ import annotations

import functools
from pathlib import Path

from harness.qwen2.facts import (
    GPTQ_AWQ_GROUP,
    GPU_RESERVE_GIB,
    HEAD_DIM,
    KV_BYTES_PER_TOKEN,
    MAX_CONTEXT_YARN,
    MLX_GROUP,
    MODEL_CONFIG,
    NF4_BLOCK,
    NF4_SCALE_BYTES,
    VLLM_GPU_SHARE,
)
from harness.qwen2.shapes import meta_model

GiB = 1 << 30
FORMATS = ("bfloat16", "8-bit", "4-bit")
CARDS_GIB = (8, 12, 16, 24)
CONTEXT = 8192  # the KV cache the advice counts: vllm/serve_max_model_len.sh's --max-model-len
DATA = Path(__file__).with_name("memory.json")
# The calculator's formats, each with the route that runs it: (format, route). The routes' pages
# and words are the calculator's (harness/hooks/calculator.py).
GGUF_TYPES = ("Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q4_0")
CALCULATOR = (
    ("bfloat16", "transformers"),
    ("8-bit", "bitsandbytes"),
    ("4-bit", "bitsandbytes"),
    ("AWQ", "vllm"),
    ("GPTQ-Int4", "vllm"),
    *((t, "llamacpp") for t in GGUF_TYPES),
    ("MLX 4-bit", "mlx"),
)


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


def four_bit_groups() -> int:
    """AWQ's and GPTQ's 4-bit weights as vLLM 0.33 holds them (its auto_awq.py and auto_gptq.py):
    each linear layer packed 8 to an int32, and per group of GPTQ_AWQ_GROUP inputs and each output
    a float16 scale and a 4-bit zero point. GPTQ files also hold an int32 group index per input
    (g_idx), which vLLM drops on loading (QuantizationConfig.get_checkpoint_weight_mapper). The
    rest stays in 16 bits, the output layer included."""
    packed = 0
    for m in _quantized_linears():
        out, into = m.weight.shape
        groups = into // GPTQ_AWQ_GROUP
        packed += out * into // 2 + groups * out * 2 + groups * out // 2
    return packed + (parameters() - linear_weights()) * 2


def mlx_4bit() -> int:
    """mlx_lm.convert's 4-bit: every linear layer and the embeddings in 4 bits, with a 16-bit scale
    and bias per MLX_GROUP weights (4.5 bits a weight), the rest in 16 bits."""
    import torch

    kinds = (torch.nn.Linear, torch.nn.Embedding)
    quantized = sum(m.weight.numel() for m in meta_model().modules() if isinstance(m, kinds))
    return quantized * (4 * MLX_GROUP + 32) // (8 * MLX_GROUP) + (parameters() - quantized) * 2


def stored(fmt: str) -> int:
    """Bytes the weights take on the device in each format but GGUF's (llama-quantize's)."""
    return {
        "bfloat16": lambda: weights_in_bits(16),
        "8-bit": lambda: weights_in_bits(8) + int8_scales(),
        "4-bit": lambda: weights_in_bits(4) + nf4_scales(),
        "AWQ": four_bit_groups,
        "GPTQ-Int4": four_bit_groups,
        "MLX 4-bit": mlx_4bit,
    }[fmt]()


def need(weights: int, route: str, context: int, sequences: int, memory_gib: float) -> dict:
    """What a route needs, in GiB: the weights, the KV cache (16 bits in every route) for
    ``sequences`` of ``context`` tokens, and the overhead: the reserve beside the weights, and for
    vLLM also the share of the card it leaves unused. The calculator's JavaScript adds the same
    terms (tests/test_browser.py compares the two)."""
    kv = context * sequences * KV_BYTES_PER_TOKEN / GiB
    overhead = GPU_RESERVE_GIB + ((1 - VLLM_GPU_SHARE) * memory_gib if route == "vllm" else 0)
    total = weights / GiB + kv + overhead
    return {
        "weights": weights / GiB,
        "kv": kv,
        "overhead": overhead,
        "total": total,
        "fits": total <= memory_gib,
    }


def need_gib(fmt: str, context: int = CONTEXT) -> float:
    """GiB a GPU needs with transformers: the weights, the KV cache for ``context`` tokens and
    the reserve."""
    return need(stored(fmt), "transformers", context, 1, 0)["total"]


def fits(card_gib: float, fmt: str) -> bool:
    return need_gib(fmt) <= card_gib


def data(gguf_bytes: dict[str, float]) -> dict:
    """The calculator's figures: memory.json."""
    sizes = {fmt: stored(fmt) for fmt, route in CALCULATOR if route != "llamacpp"}
    sizes |= {t: round(gguf_bytes[t]) for t in GGUF_TYPES}
    return {
        "kv_bytes_per_token": KV_BYTES_PER_TOKEN,
        "native_context": MODEL_CONFIG["max_position_embeddings"],
        "max_context": MAX_CONTEXT_YARN,
        "reserve_gib": GPU_RESERVE_GIB,
        "vllm_gpu_share": VLLM_GPU_SHARE,
        "facts": {
            "parameters": parameters(),
            "layers": MODEL_CONFIG["num_hidden_layers"],
            "kv_heads": MODEL_CONFIG["num_key_value_heads"],
            "head_dim": HEAD_DIM,
            "gptq_awq_group": GPTQ_AWQ_GROUP,
            "mlx_group": MLX_GROUP,
        },
        "formats": [{"id": f, "route": r, "bytes": sizes[f]} for f, r in CALCULATOR],
    }
