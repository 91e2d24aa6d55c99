import importlib.util
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from harness.qwen2.facts import NF4_BLOCK, NF4_SCALE_BYTES
from harness.site.pages import SITE


def test_model_is_quantized_and_answers(run, linear_layers):
    """Every linear layer but the output layer is a bitsandbytes 4-bit layer (NF4, computing in
    bfloat16); the rest stays in bfloat16; the answer is printed, then the weights' size."""
    model = run.namespace["model"]
    layers = linear_layers(model)
    assert set(layers) == {"Linear4bit", "Linear"} and layers["Linear"] == 1, layers
    assert type(model.lm_head).__name__ == "Linear" and model.lm_head.weight.dtype == torch.bfloat16
    first = next(m for m in model.modules() if type(m).__name__ == "Linear4bit")
    assert first.weight.quant_type == "nf4" and first.compute_dtype == torch.bfloat16
    assert model.model.embed_tokens.weight.dtype == torch.bfloat16
    answer, size = run.printed.rstrip("\n").rsplit("\n", 1)
    assert answer.strip() and re.fullmatch(r"weights: \d+\.\d\d GB", size), run.printed


def test_scales_are_one_float32_per_block_and_not_in_the_footprint(run):
    """What the quantized page's 4-bit figure adds to the packed weights: a float32 scale per
    block of 64 weights, which get_memory_footprint() (the printed size) leaves out."""
    model = run.namespace["model"]
    counted = {t.data_ptr() for t in [*model.parameters(), *model.buffers()]}
    layers = [m for m in model.modules() if type(m).__name__ == "Linear4bit"]
    assert layers
    for layer in layers:
        state = layer.weight.quant_state
        # bitsandbytes keeps the scales in float32; for its kernel on a CPU with AVX512-BF16
        # it repacks the layer and them, in bfloat16 (functional._convert_weight_packed_for_cpu).
        repacked = getattr(state, "packing_format_for_cpu", False)
        assert state.blocksize == NF4_BLOCK
        assert state.absmax.dtype == (torch.bfloat16 if repacked else torch.float32)
        assert repacked or state.absmax.element_size() == NF4_SCALE_BYTES
        assert state.absmax.numel() == math.ceil(math.prod(state.shape) / NF4_BLOCK)
        assert state.absmax.data_ptr() not in counted


def test_the_warning_the_page_shows_is_bitsandbytes_own(snippet):
    """The warnings on the page (the snippet's `logs`) are the ones bitsandbytes logs on this
    machine as it is imported, if its CPU has AVX512-BF16: without `kernels` (nox -s oldest),
    and with it while the Hub is offline (nox -s tests, as HF_HUB_OFFLINE=1 is); their text is
    in bitsandbytes' source."""
    import bitsandbytes.backends.cpu.ops as ops

    without, offline = snippet.entry.logs
    has_kernels = importlib.util.find_spec("kernels") is not None
    shown = SITE.snippet_text(offline if has_kernels else without).strip()
    source = Path(ops.__file__).read_text(encoding="utf-8")
    assert "Failed to load CPU gemm_4bit_forward from kernels-community" in source
    assert shown.startswith("Failed to load CPU gemm_4bit_forward from kernels-community: ")
    if has_kernels:
        assert "Hugging Face Hub is in offline mode" in shown and os.environ["HF_HUB_OFFLINE"]
    else:
        assert "No module named 'kernels'" in shown
    if " avx512_bf16" not in Path("/proc/cpuinfo").read_text():
        pytest.skip("this CPU has no AVX512-BF16: bitsandbytes does not try to fetch the kernel")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    done = subprocess.run(
        [sys.executable, "-c", "import bitsandbytes"], capture_output=True, text=True, env=env
    )
    assert shown in done.stderr.splitlines(), done.stderr[-2000:]
