"""Qwen2-7B-Instruct at its real size on PyTorch's meta device: every tensor's shape, no memory and
no weights, built from its config.json (harness/qwen2/qwen2-7b-instruct/). The figures the pages
state about the model's size are computed from it (tests/test_facts.py, and the llama.cpp and
MLX tests). torch and transformers are imported on first use."""

from __future__ import annotations

import functools

from harness.qwen2.facts import MODEL_CONFIG


def transformers_config(config: dict):
    """A config.json's dict as transformers' configuration object of its model type."""
    from transformers import AutoConfig

    skip = ("model_type", "torch_dtype", "architectures")
    settings = {k: v for k, v in config.items() if k not in skip}
    return AutoConfig.for_model(config["model_type"], **settings)


def on_meta(config: dict):
    """The model a config.json describes, on the meta device: shapes, no weights."""
    import torch
    from transformers import AutoModelForCausalLM

    with torch.device("meta"):
        return AutoModelForCausalLM.from_config(transformers_config(config))


@functools.cache
def meta_model():
    """Qwen2-7B-Instruct built from its config.json on the meta device: shapes, no weights."""
    return on_meta(MODEL_CONFIG)
