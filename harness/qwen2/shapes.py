"""Qwen2-7B-Instruct at its real size on PyTorch's meta device: every tensor's shape, no memory and
no weights, built from its config.json (harness/qwen2/qwen2-7b-instruct/). The figures the pages
state about the model's size are computed from it (tests/test_facts.py, and the llama.cpp and
MLX tests). torch and transformers are imported on first use."""

from __future__ import annotations

import functools

from harness.qwen2.facts import MODEL_CONFIG


@functools.cache
def meta_model():
    """Qwen2-7B-Instruct built from its config.json on the meta device: shapes, no weights."""
    import torch
    from transformers import AutoModelForCausalLM, Qwen2Config

    config = {k: v for k, v in MODEL_CONFIG.items() if k != "architectures"}
    with torch.device("meta"):
        return AutoModelForCausalLM.from_config(Qwen2Config(**config))
