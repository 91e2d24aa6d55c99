"""Write harness/qwen2/memory.json, the home page's calculator's figures: the computation of
harness/qwen2/memory.py, with the GGUF sizes llama.cpp's own `llama-quantize` gives for a file
with the model's real shapes (harness/llamacpp.py). The site's build has neither torch nor
llama.cpp, so the figures are committed; tests/test_facts.py fails when they go stale.

    python -m harness.tools.memory
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from harness import llamacpp
from harness.qwen2.memory import DATA, GGUF_TYPES, data


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        shaped = llamacpp.shaped_gguf(Path(tmp) / "shaped-f16.gguf")
        gguf = {t: llamacpp.quantized_size(shaped, t)[0] for t in GGUF_TYPES}
    DATA.write_text(json.dumps(data(gguf), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {DATA}")


if __name__ == "__main__":
    main()
