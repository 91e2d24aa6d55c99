import importlib.util

import pytest
import torch


@pytest.mark.gpu
def test_loads_flash_attention_2_and_generates(snippet, base):
    if importlib.util.find_spec("flash_attn") is None:
        pytest.skip(
            "flash-attn is not installed: run snippets/transformers/flash_attention_install.sh"
        )
    model = snippet.run().namespace["model"]
    assert model.config._attn_implementation == "flash_attention_2"
    assert model.dtype == torch.bfloat16
    inputs = base.namespace["model_inputs"]
    out = model.generate(**inputs, max_new_tokens=32)
    assert base.namespace["tokenizer"].decode(out[0][inputs.input_ids.shape[1] :]).strip()
