import torch


def test_float16_load_generates(run, base):
    """The troubleshooting page's load for GPUs without bfloat16: float16 weights that still
    generate with the tokenizer and inputs of the first example."""
    model = run.namespace["model"]
    assert model.dtype == torch.float16
    inputs = base.namespace["model_inputs"]
    out = model.generate(**inputs, max_new_tokens=8)
    assert out.shape[1] > inputs.input_ids.shape[1]
