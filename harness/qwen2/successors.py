"""Qwen2.5-7B-Instruct and Qwen3-8B as tiny stand-ins, beside Qwen2-7B-Instruct's in the same
offline cache (harness/qwen2/standin.py writes them), for the "After Qwen2" page: the site's code
runs against each with only the repository id changed.

Each stand-in is its model as published but for its size: its own config.json (shrunk as
SHRUNK says), generation_config.json, special tokens (their ids and which are special) and chat
template, with Qwen's BPE ranks, which the three generations share. The files are in
harness/qwen2/<model>/; the chat templates are llama.cpp's copies of the models' own
(models/templates/ in its source: tests/pages/test_after_qwen2.py compares them).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

HERE = Path(__file__).parent
# The tokens after Qwen's BPE ranks, in id order from 151643, as each model's
# tokenizer_config.json lists them; "special": false for the tool, code and thinking tokens.
ADDED = [
    *("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>"),
    *("<|box_start|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>"),
    *("<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>"),
    *("<tool_call>", "</tool_call>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>"),
    *("<|fim_pad|>", "<|repo_name|>", "<|file_sep|>"),
    *("<tool_response>", "</tool_response>", "<think>", "</think>"),
]
FIRST_ID = 151643
NOT_SPECIAL_FROM = "<tool_call>"
SUCCESSORS = {
    "Qwen/Qwen2.5-7B-Instruct": {"files": HERE / "qwen2.5-7b-instruct", "added": 22},
    "Qwen/Qwen3-8B": {"files": HERE / "qwen3-8b", "added": 26},
}
# Smaller than Qwen2's stand-in: each adds two embedding tables of the full vocabulary.
SHRUNK = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
}


@functools.cache
def files(repo_id: str) -> dict[str, str]:
    folder = SUCCESSORS[repo_id]["files"]
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


def config(repo_id: str) -> dict:
    return json.loads(files(repo_id)["config.json"])


def added_tokens(repo_id: str) -> dict[str, tuple[int, bool]]:
    """Each added token: (its id, whether it is special)."""
    names = ADDED[: SUCCESSORS[repo_id]["added"]]
    cut = ADDED.index(NOT_SPECIAL_FROM)
    return {t: (FIRST_ID + i, i < cut) for i, t in enumerate(names)}


def tokenizer_config(repo_id: str) -> dict:
    tokens = added_tokens(repo_id)
    return {
        "tokenizer_class": "Qwen2Tokenizer",
        "add_prefix_space": False,
        "added_tokens_decoder": {
            str(i): {
                "content": t,
                "lstrip": False,
                "normalized": False,
                "rstrip": False,
                "single_word": False,
                "special": special,
            }
            for t, (i, special) in tokens.items()
        },
        "additional_special_tokens": ADDED[1 : ADDED.index("<|video_pad|>") + 1],
        "bos_token": None,
        "chat_template": files(repo_id)["chat_template.jinja"],
        "clean_up_tokenization_spaces": False,
        "eos_token": "<|im_end|>",
        "errors": "replace",
        "model_max_length": 131072,
        "pad_token": "<|endoftext|>",
        "split_special_tokens": False,
        "unk_token": None,
    }


def shrunk_config(repo_id: str) -> dict:
    shrunk = dict(SHRUNK)
    if "head_dim" in config(repo_id):
        shrunk["head_dim"] = SHRUNK["hidden_size"] // SHRUNK["num_attention_heads"]
    return config(repo_id) | shrunk


def write(folder: Path, repo_id: str, build_tokenizer_json, build_model) -> None:
    """The stand-in of ``repo_id`` in ``folder``, with the Qwen2 stand-in's builders."""
    tokens = added_tokens(repo_id)
    build_tokenizer_json(folder, {t: i for t, (i, _) in tokens.items()})
    path = folder / "tokenizer.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in data["added_tokens"]:
        entry["special"] = tokens[entry["content"]][1]
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    config_text = json.dumps(tokenizer_config(repo_id), indent=2) + "\n"
    (folder / "tokenizer_config.json").write_text(config_text)
    generation = json.loads(files(repo_id)["generation_config.json"])
    build_model(folder, shrunk_config(repo_id), generation)
