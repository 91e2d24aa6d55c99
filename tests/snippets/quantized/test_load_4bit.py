import re

import torch


def linear_layers(model) -> dict[str, int]:
    """How many linear layers of each class the model has (bitsandbytes swaps in its own)."""
    counts: dict[str, int] = {}
    for module in model.modules():
        if isinstance(module, torch.nn.Linear):
            counts[type(module).__name__] = counts.get(type(module).__name__, 0) + 1
    return counts


def test_model_is_quantized_and_answers(run):
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
