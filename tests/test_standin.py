"""The stand-in is faithful where the snippets can tell: tokenizer, chat template, config."""

import pytest
from transformers import AutoConfig, AutoTokenizer, GenerationConfig

from harness import standin

pytestmark = pytest.mark.timeout(120)
MODEL = "Qwen/Qwen2-7B-Instruct"


@pytest.fixture(scope="module")
def tokenizer():
    """The tokenizer of Qwen/Qwen2-7B-Instruct as the tier has it: the stand-in's on CPU, the
    real one on the gpu tier; the ids below are the real tokenizer's, so both must match them."""
    return AutoTokenizer.from_pretrained(MODEL)


def test_special_tokens_have_qwen2_ids(tokenizer):
    ids = tokenizer.convert_tokens_to_ids(["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
    assert ids == [151643, 151644, 151645]
    assert (tokenizer.eos_token, tokenizer.pad_token, tokenizer.bos_token) == (
        "<|im_end|>",
        "<|endoftext|>",
        None,
    )


@pytest.mark.parametrize(
    ("text", "ids"),
    [  # ids from the real Qwen2 tokenizer
        ("How many r in strawberry.", [4340, 1657, 435, 304, 72600, 13]),
        ("What is 2+2?", [3838, 374, 220, 17, 10, 17, 30]),
        (
            "您好, 请从 1 数到 10000000.",
            [111308, 11, 220, 14880, 45181, 220, 16, 47685, 26939, 220, 16]
            + [15, 15, 15, 15, 15, 15, 15, 13],
        ),
    ],
)
def test_text_encodes_to_the_real_ids(tokenizer, text, ids):
    assert tokenizer(text).input_ids == ids
    assert tokenizer.decode(ids) == text


def test_chatml_prompt_encodes_to_the_real_ids(tokenizer):
    messages = [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "What is 2+2?"},
    ]
    ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True)
    ids = ids["input_ids"] if not isinstance(ids, list) else ids  # a list in transformers 4
    assert ids[:11] == [151644, 8948, 198, 2610, 525, 264, 10950, 17847, 13, 151645, 198]
    assert ids[11:23] == [151644, 872, 198, 3838, 374, 220, 17, 10, 17, 30, 151645, 198]
    assert ids[23:] == [151644, 77091, 198]


def test_config_matches_qwen2_7b_instruct():
    """What the stand-in shares with the real model (on the gpu tier, checked against it)."""
    config = AutoConfig.from_pretrained(MODEL)
    assert config.architectures == ["Qwen2ForCausalLM"] and config.vocab_size == 152064
    assert config.tie_word_embeddings is False and config.rms_norm_eps == 1e-6
    assert config.max_position_embeddings == 32768
    generation = GenerationConfig.from_pretrained(MODEL)
    assert generation.to_diff_dict() | standin.GENERATION_CONFIG == generation.to_diff_dict()
