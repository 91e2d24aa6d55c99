"""The stand-in is faithful where the snippets can tell: tokenizer, chat template, config."""

import ast
import importlib
import inspect
import json
from pathlib import Path

import pytest
from huggingface_hub import hf_hub_download

from harness.qwen2 import standin
from harness.qwen2.facts import GENERATION_CONFIG, MODEL_CONFIG, MODEL_ID, SPECIAL_TOKEN_IDS

pytestmark = pytest.mark.timeout(120)


# The tokenizer fixture (harness/suite/fixtures.py) is the stand-in's on CPU and the real one on
# the gpu tier; the ids below are the real tokenizer's, so both must match them.


def test_special_tokens_have_qwen2_ids(tokenizer):
    ids = tokenizer.convert_tokens_to_ids(list(SPECIAL_TOKEN_IDS))
    assert ids == list(SPECIAL_TOKEN_IDS.values())
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


@pytest.mark.parametrize("name", ["config.json", "generation_config.json"])
def test_model_files_are_the_models_own(name, on_standin):
    """The model's config files as the tier loads them, against the copies kept in
    harness/qwen2/qwen2-7b-instruct/: with the real weights (gpu tier) they must be equal, which
    checks the copies; the stand-in (cpu tier) may differ only in the sizes it shrinks."""
    kept = {"config.json": MODEL_CONFIG, "generation_config.json": GENERATION_CONFIG}[name]
    loaded = json.loads(Path(hf_hub_download(MODEL_ID, name)).read_text(encoding="utf-8"))
    differ = {k for k, v in kept.items() if loaded.get(k, "missing") != v}
    shrunk = set(standin.SHRUNK) if on_standin and name == "config.json" else set()
    assert differ == shrunk, {k: (loaded.get(k, "missing"), kept[k]) for k in differ ^ shrunk}


def test_the_stand_in_key_covers_every_file_it_is_built_from(monkeypatch):
    """The stand-in is built once and reused while its key is unchanged: the key must change with
    each file the builder is made of or reads (the harness modules it imports, the model's files,
    the BPE ranks), or an edit to one would go on testing against the stand-in made before it."""
    read: set[Path] = set()
    real = Path.read_bytes

    def spy(self):
        read.add(self.resolve())
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    standin.cache_key()
    source = Path(standin.__file__)
    modules = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("harness"):
            for alias in node.names:  # `from harness.qwen2 import facts` imports a module
                value = getattr(importlib.import_module(node.module), alias.name)
                modules.add(value.__name__ if inspect.ismodule(value) else node.module)
    wanted = {source.resolve(), standin.qwen_ranks_file().resolve()}
    wanted |= {Path(importlib.import_module(m).__file__).resolve() for m in modules}
    wanted |= {p.resolve() for p in standin.MODEL_FILES.iterdir()}
    assert modules, "the builder imports the facts it is built from"
    assert wanted <= read, sorted(map(str, wanted - read))
