import torch

from harness.qwen2.facts import GENERATION_CONFIG


def test_answers_with_new_text_only(run, gpu):
    ns = run.namespace
    model, tokenizer, response = ns["model"], ns["tokenizer"], ns["response"]
    assert model.__class__.__name__ == "Qwen2ForCausalLM"
    assert model.dtype == torch.bfloat16, "the page says dtype='auto' loads bfloat16"
    assert model.device.type == ("cuda" if gpu else "cpu")
    inputs = ns["model_inputs"]
    assert set(inputs) == {"input_ids", "attention_mask"}
    assert inputs.input_ids.device == model.device
    assert isinstance(response, str) and response.strip(), "the decoded answer is empty"
    assert ns["prompt"] not in response, "the answer still contains the prompt"
    assert run.printed == response + "\n"
    (answer_ids,) = ns["generated_ids"]
    assert 0 < len(answer_ids) <= 512, "more new tokens than max_new_tokens"
    assert tokenizer.decode(answer_ids, skip_special_tokens=True) == response
    # The invariants saw the call: one generate call, its prompt ending in the generation prompt.
    assert len(run.record.generate_calls) == 1


def test_uses_the_models_generation_config(run):
    """The model carries every value of the model's generation_config.json (the sampling the
    pages describe), read from its repository (the stand-in's copy of it on the cpu tier)."""
    config = run.namespace["model"].generation_config.to_diff_dict()
    assert config | GENERATION_CONFIG == config, config
    assert run.namespace["tokenizer"].eos_token == "<|im_end|>"
