"""The llama.cpp page's figures: the GGUF sizes as llama-quantize computes them for the real
model's tensor shapes, and the KV cache for the serve command's context."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness import llamacpp
from harness.qwen2.facts import KV_BYTES_PER_TOKEN, MODEL_CONFIG
from harness.qwen2.shapes import meta_model
from harness.site import shell
from harness.site.pages import LANGS, SITE

# The quantizations the llama.cpp page lists, as llama-quantize names them.
QUANT_TYPES = ("Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M", "Q2_K")


@pytest.fixture(scope="module")
def shaped_like_qwen2_7b(tmp_path_factory) -> Path:
    """A 16-bit GGUF file with Qwen2-7B-Instruct's hyperparameters and every tensor at its real
    shape (built on PyTorch's meta device from its config.json, named as llama.cpp's converter
    names them), its data left as a hole in a sparse file: 15 GB long, a few KB on disk."""
    import numpy as np

    C = MODEL_CONFIG
    sys.path.insert(0, str(llamacpp.ensure() / "gguf-py"))
    try:
        import gguf
    finally:
        sys.path.pop(0)
    model = meta_model()
    n = C["num_hidden_layers"]
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.QWEN2, n)
    path = tmp_path_factory.mktemp("gguf") / "qwen2-7b-shaped-f16.gguf"
    w = gguf.GGUFWriter(path, "qwen2")
    w.add_block_count(n)
    w.add_context_length(C["max_position_embeddings"])
    w.add_embedding_length(C["hidden_size"])
    w.add_feed_forward_length(C["intermediate_size"])
    w.add_head_count(C["num_attention_heads"])
    w.add_head_count_kv(C["num_key_value_heads"])
    w.add_rope_freq_base(C["rope_theta"])
    w.add_layer_norm_rms_eps(C["rms_norm_eps"])
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    for name, p in model.named_parameters():
        gguf_name = names.get_name(name, try_suffixes=(".weight", ".bias"))
        assert gguf_name, f"no GGUF name for {name}"
        matrix = p.dim() == 2  # the converter keeps matrices in 16 bits, vectors in 32
        dtype = np.dtype(np.float16 if matrix else np.float32)
        raw = gguf.GGMLQuantizationType.F16 if matrix else gguf.GGMLQuantizationType.F32
        w.add_tensor_info(gguf_name, list(p.shape), dtype, p.numel() * dtype.itemsize, raw)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    out = w.fout[0]
    align = w.data_alignment
    data = sum(t.nbytes + (-t.nbytes % align) for t in w.tensors[0].values())
    out.truncate(out.tell() + (-out.tell() % align) + data)
    w.close()
    return path


@pytest.fixture(scope="module")
def gguf_sizes(shaped_like_qwen2_7b) -> dict[str, tuple[float, str]]:
    """Each quantization the page lists: (bytes of weights, bits per weight), computed once."""
    tree = llamacpp.ensure()
    return {t: quantized_size(tree, shaped_like_qwen2_7b, t) for t in QUANT_TYPES}


def quantized_size(tree: Path, path: Path, ftype: str) -> tuple[float, str]:
    """llama-quantize --dry-run: the weights' size in bytes at ``ftype``, and bits per weight,
    by llama.cpp's own rules for which tensor gets which type."""
    done = subprocess.run(
        [tree / "build" / "bin" / "llama-quantize", "--dry-run", path, ftype],
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"quant size\s*=\s*([\d.]+) MiB \(([\d.]+) BPW\)", done.stdout + done.stderr)
    assert done.returncode == 0 and found, (done.stdout + done.stderr)[-2000:]
    return float(found[1]) * 2**20, found[2]


@pytest.mark.parametrize("lang", LANGS)
def test_gguf_sizes_are_computed_by_llama_quantize(lang, gguf_sizes):
    """The llama.cpp page's table of quantizations and the home page's hardware table state
    what llama-quantize computes for the real model's tensor shapes."""
    page = SITE.page("llamacpp", lang)
    table = page.section("download")
    rows = [
        f"| `{t.lower()}` | {bpw} | {size / 1e9:.1f} GB |" for t, (size, bpw) in gguf_sizes.items()
    ]
    missing = [r for r in rows if r not in table]
    assert not missing, f"{page.rel} #download does not state {missing} (computed here)"
    q4 = f"{gguf_sizes['Q4_K_M'][0] / 1e9:.1f} GB"
    hardware = SITE.page("index", lang).section("hardware")
    assert q4 in hardware, f"the home page's #hardware ({lang}) does not state {q4} for Q4_K_M"


@pytest.mark.parametrize("lang", LANGS)
def test_kv_cache_figures_follow_the_commands_context(lang):
    argv = shell.argv(SITE.snippet_text("llamacpp/serve.sh"))
    context = int(argv[argv.index("-c") + 1])
    full = MODEL_CONFIG["max_position_embeddings"]
    page = SITE.page("llamacpp", lang)
    kv = f"{context * KV_BYTES_PER_TOKEN / 2**30:.2f} GiB"
    for anchor in ("download", "serve"):
        assert f"{context:,}" in page.section(anchor) and kv in page.section(anchor), anchor
    serve = page.section("serve")
    assert f"{full:,}" in serve and f"{full * KV_BYTES_PER_TOKEN / 2**30:.2f} GiB" in serve
    layers = MODEL_CONFIG["num_hidden_layers"]
    assert re.search(rf"\b{layers}\b", serve), f"{page.rel} #serve: -ngl's layer count"
