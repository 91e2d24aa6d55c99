import subprocess

import pytest

from harness.qwen2.facts import KV_BYTES_PER_TOKEN, MODEL_CONFIG
from harness.site import shell
from harness.site.pages import SITE


def test_is_the_local_command_without_host(snippet, vllm_parse):
    """serve.sh is serve_local.sh (which the gpu tier starts) without `--host 127.0.0.1`."""
    local = shell.argv(SITE.snippet_text("vllm/serve_local.sh"))
    assert local == [*shell.argv(snippet.source()), "--host", "127.0.0.1"]
    parsed = vllm_parse(snippet.source())
    # The page: port 8000, and every interface unless --host says otherwise.
    assert (parsed["port"], parsed["host"]) == (8000, None)


@pytest.mark.gpu
def test_vllm_prints_the_kv_cache_error(snippet, vllm_python):
    """vLLM's own check, called with Qwen2-7B-Instruct's KV cache size for its full context and
    1 GiB free, prints the message the page quotes (vLLM's 16-token blocks round the estimate)."""
    (error,) = snippet.entry.raises
    gib, context, block = 1 << 30, MODEL_CONFIG["max_position_embeddings"], 16
    per_token = KV_BYTES_PER_TOKEN
    estimate = gib // (per_token * block) * block
    script = (
        "from vllm.v1.core.kv_cache_utils import _check_enough_kv_cache_memory as check\n"
        "try:\n"
        f"    check({gib}, lambda: {context * per_token}, {context}, lambda am: {estimate})\n"
        "except ValueError as e:\n"
        "    print(f'ValueError: {e}')\n"
    )
    done = subprocess.run([vllm_python, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.stdout.strip() == SITE.snippet_text(error.output).strip(), done.stdout + done.stderr
