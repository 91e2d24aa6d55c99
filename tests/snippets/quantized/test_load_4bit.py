import re

import torch


def test_model_is_quantized_and_answers(run, linear_layers):
    """Every linear layer but the output layer is a bitsandbytes 4-bit layer (NF4, computing in
    bfloat16); the rest stays in bfloat16; the answer is printed, then the weights' size."""
    model = run.namespace["model"]
    layers = linear_layers(model)
    assert set(layers) == {"Linear4bit", "Linear"} and layers["Linear"] == 1, layers
    assert type(model.lm_head).__name__ == "Linear" and model.lm_head.weight.dtype == torch.bfloat16
    first = next(m for m in model.modules() if type(m).__name__ == "Linear4bit")
    assert first.weight.quant_type == "nf4" and first.compute_dtype == torch.bfloat16
    assert model.model.embed_tokens.weight.dtype == torch.bfloat16
    answer, size = run.printed.rstrip("\n").rsplit("\n", 1)
    assert answer.strip() and re.fullmatch(r"weights: \d+\.\d\d GB", size), run.printed
