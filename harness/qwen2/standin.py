"""Build an offline Hugging Face cache in which ``Qwen/Qwen2-7B-Instruct`` is a tiny stand-in.

The stand-in has the real Qwen2 tokenizer (rebuilt from the Qwen BPE ranks that the ``dashscope``
package ships), the real chat template and generation config, and Qwen2-7B-Instruct's architecture
and special ids at a tiny size with random weights from a fixed seed. Snippets that load
``Qwen/Qwen2-7B-Instruct`` run on it unchanged, with ``HF_HOME`` pointing at the cache and
``HF_HUB_OFFLINE=1``.

Run ``python -m harness.qwen2.standin`` to build it by hand; the test suite builds it on demand.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import inspect
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from harness.qwen2 import facts, shapes, successors
from harness.qwen2.facts import (
    GENERATION_CONFIG,
    GENERATION_PROMPT_IDS,
    MODEL_CONFIG,
    MODEL_FILES,
    MODEL_ID,
    SPECIAL_TOKEN_IDS,
)
from harness.site import paths
from harness.site.paths import STANDIN_CACHE

# Qwen2's pre-tokenizer: like cl100k, but digits are split one by one.
PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)

# The chat template of Qwen2-7B-Instruct: ChatML, with a default system prompt.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}"
    "{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

# Qwen2-7B-Instruct's config.json with only its size shrunk: the keys below replace the real
# ones (hidden 3584 -> 256, 28 layers -> 2, ...); every other key is the real model's. Every
# matrix's input size is a multiple of 256, the block of llama.cpp's K-quants (Q4_K_M and the
# like; a smaller row falls back to another type), which also fits 4-bit group sizes of 32 to 256
# (bitsandbytes, MLX).
SHRUNK = {
    "hidden_size": 256,
    "intermediate_size": 512,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
}
CONFIG = MODEL_CONFIG | SHRUNK

TOKENIZER_CONFIG = {
    "tokenizer_class": "Qwen2Tokenizer",
    "bos_token": None,
    "eos_token": "<|im_end|>",
    "pad_token": "<|endoftext|>",
    "unk_token": None,
    "additional_special_tokens": ["<|im_start|>", "<|im_end|>"],
    "chat_template": CHAT_TEMPLATE,
    "clean_up_tokenization_spaces": False,
    "errors": "replace",
    "model_max_length": 131072,
    "split_special_tokens": False,
}

# The model card's front matter is the real one's; tools that copy the card (mlx_lm.convert
# writes one for the model it makes) read it from the repository.
MODEL_CARD = """---
license: apache-2.0
language:
- en
pipeline_tag: text-generation
tags:
- chat
---

# Qwen2-7B-Instruct (offline stand-in)

The real tokenizer, chat template and generation config of Qwen/Qwen2-7B-Instruct, with tiny
random weights: for testing code that loads the model, not for answers.
"""

SEED = 0
# Random weights never emit <|im_end|>, so every answer would run to max_new_tokens. Give every
# token embedding a constant feature and let the <|im_end|> row of lm_head read it: sampled
# answers then run a few random tokens and stop at <|im_end|>, as the real model does. The
# newline token carries the feature negated, so that <|im_end|> never comes right after a
# newline, and so never first: the generation prompt ends with one, and an empty answer is what
# the invariants reject (with any sampler: transformers', llama.cpp's or MLX's, quantized or
# not). Every token costs: about 0.02 s in transformers (on two threads), 0.35 s in MLX's CPU
# build, most of it the 152,064-row output layer. Measured for the quickstart's prompt with the
# model's sampling (temperature 0.7, top-p 0.8, top-k 20), counting <|im_end|>: at 0.22,
# transformers' answers ran 2 to 40 tokens (mean 10.8, 40 seeds) and MLX's 4-bit ones 2 to 39
# (mean 11.0, 30 seeds); at 0.31, 2 to 13 (mean 4.6) and 2 to 10 (mean 4.6, 20 seeds); at 0.34
# the mean was still 4.2. The greedy answer is one token.
NEWLINE_ID = GENERATION_PROMPT_IDS[-1]  # the newline token, 198
EOS_FEATURE = 1.0
EOS_WEIGHT = 0.31


def qwen_ranks_file() -> Path:
    """The Qwen BPE ranks shipped by the ``dashscope`` package (read without importing it)."""
    try:
        dist = importlib.metadata.distribution("dashscope")
    except importlib.metadata.PackageNotFoundError:
        raise SystemExit(
            "The stand-in tokenizer needs the Qwen BPE ranks from the 'dashscope' package: "
            "pip install --no-deps dashscope"
        ) from None
    path = Path(dist.locate_file("dashscope/resources/qwen.tiktoken"))
    if not path.is_file():
        raise SystemExit(f"dashscope is installed but {path} is missing")
    return path


def cache_key() -> str:
    """Changes whenever what the stand-in is built from changes: this builder, the facts and
    model files it reads, the BPE ranks, and the libraries that write the files
    (tests/test_standin.py checks that every file it reads is in it)."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(Path(facts.__file__).read_bytes())
    h.update(Path(paths.__file__).read_bytes())
    h.update(Path(shapes.__file__).read_bytes())
    h.update(Path(successors.__file__).read_bytes())
    folders = [MODEL_FILES, *(s["files"] for s in successors.SUCCESSORS.values())]
    for path in sorted(p for folder in folders for p in folder.iterdir()):
        h.update(path.read_bytes())
    h.update(qwen_ranks_file().read_bytes())
    for name in ("transformers", "tokenizers", "torch", "safetensors"):
        h.update(importlib.metadata.version(name).encode())
    return h.hexdigest()[:16]


def build_tokenizer_json(dest: Path, specials: dict[str, int] = SPECIAL_TOKEN_IDS) -> None:
    """Qwen's tokenizer from its BPE ranks, with ``specials`` added at their ids."""
    from tokenizers import Tokenizer, normalizers
    from transformers.convert_slow_tokenizer import TikTokenConverter

    # transformers 5 calls the special-token argument extra_special_tokens, 4.x additional_...
    argument = "extra_special_tokens"
    if "additional_special_tokens" in inspect.signature(TikTokenConverter).parameters:
        argument = "additional_special_tokens"
    converter = TikTokenConverter(
        vocab_file=str(qwen_ranks_file()), pattern=PATTERN, **{argument: list(specials)}
    )
    tok = converter.converted()
    tok.normalizer = normalizers.NFC()
    for token, expected in specials.items():
        got = tok.token_to_id(token)
        if got != expected:
            raise RuntimeError(f"special token {token} got id {got}, expected {expected}")
    # The merges as "a b" strings, the format tokenizers wrote before 0.20.0 (which made them
    # pairs: huggingface/swift-transformers#131), the release current when Qwen2's own files were
    # saved (its tokenizer.json was not read here). Both load the same, but the strings parse
    # about 3x faster (0.10 s instead of 0.31 s for this file), and transformers 5 parses the file
    # several times per load, in every process that loads it.
    written = tok.to_str()
    data = json.loads(written)
    data["model"]["merges"] = [" ".join(pair) for pair in data["model"]["merges"]]
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    if Tokenizer.from_str(text).to_str() != written:
        raise RuntimeError("tokenizer.json with string merges does not load as the same tokenizer")
    (dest / "tokenizer.json").write_text(text, encoding="utf-8")


def build_model(dest: Path, config: dict = CONFIG, generation: dict = GENERATION_CONFIG) -> None:
    import torch
    from transformers import AutoModelForCausalLM

    torch.manual_seed(SEED)
    model = AutoModelForCausalLM.from_config(shapes.transformers_config(config))
    with torch.no_grad():
        model.model.embed_tokens.weight[:, 0] = EOS_FEATURE
        model.model.embed_tokens.weight[NEWLINE_ID, 0] = -EOS_FEATURE
        eos = SPECIAL_TOKEN_IDS["<|im_end|>"]
        model.lm_head.weight[eos] = 0.0
        model.lm_head.weight[eos, 0] = EOS_WEIGHT
    model = model.to(torch.bfloat16)
    model.save_pretrained(dest, safe_serialization=True)
    # save_pretrained writes its own config and generation config; ours are the reference.
    (dest / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    (dest / "generation_config.json").write_text(json.dumps(generation, indent=2) + "\n")


def write_cache(hf_home: Path) -> Path:
    """Write the stand-in into ``hf_home`` as a hub cache, and those of Qwen2.5-7B-Instruct and
    Qwen3-8B beside it (harness/qwen2/successors.py); return Qwen2's snapshot folder."""

    def qwen2(tmp: Path) -> None:
        build_tokenizer_json(tmp)
        (tmp / "tokenizer_config.json").write_text(json.dumps(TOKENIZER_CONFIG, indent=2) + "\n")
        (tmp / "README.md").write_text(MODEL_CARD)
        build_model(tmp)

    for repo_id in successors.SUCCESSORS:
        cached(
            hf_home,
            repo_id,
            lambda tmp, r=repo_id: successors.write(tmp, r, build_tokenizer_json, build_model),
        )
    return cached(hf_home, MODEL_ID, qwen2)


def cached(hf_home: Path, repo_id: str, build) -> Path:
    """``build(folder)`` as the snapshot of ``repo_id`` in the hub cache at ``hf_home``."""
    revision = hashlib.sha1(f"standin-{cache_key()}".encode()).hexdigest()
    repo = hf_home / "hub" / ("models--" + repo_id.replace("/", "--"))
    snapshot = repo / "snapshots" / revision
    tmp = snapshot.with_name(revision + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    build(tmp)
    tmp.rename(snapshot)
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / "main").write_text(revision)
    return snapshot


def download_to(dest: Path) -> Path:
    """What `hf download Qwen/Qwen2-7B-Instruct --local-dir DEST` makes, made from the stand-in
    (after ``activate``): its files, in ``dest``. The weights are hard links to the cache's file
    where the file system allows it (the same bytes, 158 MB not written again; nothing writes
    to a weights file), the other files copies (a test edits its config.json)."""
    from huggingface_hub import snapshot_download

    def place(src: str, dst: str) -> str:
        if src.endswith(".safetensors"):
            try:
                os.link(src, dst, follow_symlinks=True)  # the blob, not the snapshot's link
                return dst
            except OSError:  # another file system
                pass
        return shutil.copy2(src, dst)

    shutil.copytree(snapshot_download(MODEL_ID), dest, copy_function=place)
    return dest


def ensure() -> Path:
    """The HF_HOME of the current stand-in, built if missing; safe across processes."""
    import fcntl

    home = STANDIN_CACHE / cache_key()
    done = home / ".complete"
    if done.exists():
        return home
    STANDIN_CACHE.mkdir(parents=True, exist_ok=True)
    # One lock per stand-in: two sessions building theirs (other versions) do not wait.
    with open(home.with_name(home.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(home, ignore_errors=True)
            write_cache(home)
            done.write_text(time.strftime("%Y-%m-%dT%H:%M:%S\n"))
    return home


def activate() -> Path:
    """Point this process (and what it starts) at the stand-in, offline; returns its HF_HOME,
    which ``ensure`` builds. Must run before anything imports huggingface_hub, which reads HF_HOME
    once at import."""
    home = STANDIN_CACHE / cache_key()
    os.environ["HF_HOME"] = str(home)
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["MODELSCOPE_CACHE"] = str(STANDIN_CACHE / "modelscope")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    return home


if __name__ == "__main__":
    start = time.perf_counter()
    if "--scratch" in sys.argv:
        # A build from nothing (the benchmark times it), into a scratch folder removed after:
        # the stand-in in .cache/ stays as it is for the runs that use it.
        with tempfile.TemporaryDirectory(prefix="standin-") as scratch:
            write_cache(Path(scratch))
            print(f"built in {scratch}, removed ({time.perf_counter() - start:.1f} s)")
    else:
        print(ensure(), f"({time.perf_counter() - start:.1f} s)")
