"""Facts about Qwen2-7B-Instruct, each stated once: its id, its files, its special tokens, its
KV cache per token. Standard library only (noxfile.py may import it before any environment).
"""

from __future__ import annotations

import json
from pathlib import Path

# The model the pages teach, and the files of its hub repository that the stand-in copies (the
# gpu tier checks them against the real download: tests/test_standin.py).
MODEL_ID = "Qwen/Qwen2-7B-Instruct"
# Its name in Ollama's library (docs/ollama.md): what the Ollama page's client asks for.
OLLAMA_TAG = "qwen2:7b"
MODEL_FILES = Path(__file__).with_name("qwen2-7b-instruct")
MODEL_CONFIG: dict = json.loads((MODEL_FILES / "config.json").read_text(encoding="utf-8"))
GENERATION_CONFIG: dict = json.loads(
    (MODEL_FILES / "generation_config.json").read_text(encoding="utf-8")
)
SPECIAL_TOKEN_IDS = {"<|endoftext|>": 151643, "<|im_start|>": 151644, "<|im_end|>": 151645}
# <|im_start|>assistant\n: the cue that it is the model's turn, in Qwen2's token ids.
GENERATION_PROMPT_IDS = [SPECIAL_TOKEN_IDS["<|im_start|>"], 77091, 198]
# Qwen3's with thinking off: the cue, then an empty <think>\n\n</think>\n\n (151667 and 151668 are
# <think> and </think> in Qwen3's tokenizer; 271 is "\n\n"): docs/after-qwen2.md.
QWEN3_NO_THINKING_PROMPT_IDS = [*GENERATION_PROMPT_IDS, 151667, 271, 151668, 271]


def head_dim(config: dict) -> int:
    """An attention head's size: config.json's head_dim (Qwen3's), else hidden size / heads."""
    return config.get("head_dim") or config["hidden_size"] // config["num_attention_heads"]


def kv_bytes_per_token(config: dict) -> int:
    """Keys and values, for every layer and key-value head, in bfloat16 (2 bytes): per token."""
    return 2 * config["num_hidden_layers"] * config["num_key_value_heads"] * head_dim(config) * 2


HEAD_DIM = head_dim(MODEL_CONFIG)
KV_BYTES_PER_TOKEN = kv_bytes_per_token(MODEL_CONFIG)

# How bitsandbytes stores 4-bit (NF4) weights, as transformers' BitsAndBytesConfig sets it by
# default (tests/snippets/quantized/test_load_4bit.py reads it from the loaded stand-in): a
# float32 scale ("absmax") per block of 64 weights, which get_memory_footprint() does not count.
NF4_BLOCK = 64
NF4_SCALE_BYTES = 4
# What the card-size advice leaves beside the weights and an 8,192-token KV cache: the CUDA
# context and the framework's working memory. A margin chosen for the advice, not a measurement.
GPU_RESERVE_GIB = 1.5
# The official AWQ and GPTQ-Int4 models: 4 bits in groups of 128 inputs (the group size of the
# Qwen documentation's AWQ and GPTQ recipes). mlx_lm.convert's 4-bit: groups of 64 weights.
GPTQ_AWQ_GROUP = 128
MLX_GROUP = 64
# The longest context YaRN gives the model (the long-context page: factor 4 of 32,768).
MAX_CONTEXT_YARN = 4 * MODEL_CONFIG["max_position_embeddings"]
# The share of the GPU's memory vLLM takes by default (--gpu-memory-utilization, vLLM 0.33.0's
# CacheConfig; tests/snippets/vllm/test_serve_awq.py reads it from the AWQ command as vLLM
# parses it).
VLLM_GPU_SHARE = 0.92
