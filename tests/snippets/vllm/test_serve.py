from harness.site import shell
from harness.site.pages import SITE


def test_is_the_local_command_without_host(snippet, served):
    """serve.sh is serve_local.sh (which the gpu tier starts) without `--host 127.0.0.1`."""
    local = shell.argv(SITE.snippet_text("vllm/serve_local.sh"))
    assert local == [*shell.argv(snippet.source()), "--host", "127.0.0.1"]
    # The page: port 8000, and every interface unless --host says otherwise.
    assert (served["port"], served["host"]) == (8000, None)


def test_vllm_prints_the_kv_cache_error(snippet, vllm_cli):
    """vLLM's own check, called with Qwen2-7B-Instruct's KV cache size for its full context and
    1 GiB free (tests/snippets/conftest.py), prints the message the page quotes."""
    (error,) = snippet.entry.raises
    assert vllm_cli["kv_cache_error"] == SITE.snippet_text(error.output).strip()


def test_api_key_guards_only_some_paths(vllm_cli):
    """What the quickstart says of --api-key, as vLLM's own help says it."""
    text = " ".join(vllm_cli["help"]["api_key"].split())
    assert "only authenticates endpoints under the `/v1`" in text, text
    assert "`/invocations`" in text and "Do not rely on `--api-key` alone" in text, text
