import json
import urllib.request

import pytest

from harness.qwen2.facts import MODEL_ID
from harness.site.pages import LANGS, SITE
from harness.site.paths import PAGE_SERVER_URL

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Tell me something about large language models."},
]


def test_serves_qwen2_with_chatml(llama_server, post, tokenizer):
    with urllib.request.urlopen(f"{llama_server.base_url}/v1/models", timeout=10) as r:
        assert [m["id"] for m in json.load(r)["data"]] == [MODEL_ID]
    served = post("/apply-template", {"messages": MESSAGES})["prompt"]
    expected = tokenizer.apply_chat_template(MESSAGES, tokenize=False, add_generation_prompt=True)
    assert served == expected and served.endswith("<|im_start|>assistant\n")
    log = llama_server.tail(100_000)
    assert "--gpu-layers option will be ignored" in log, "-ngl not parsed"
    # The page quotes the line that says the server is ready, for the port it uses.
    assert f"listening on http://127.0.0.1:{llama_server.port}" in log
    for lang in LANGS:
        assert "`listening on http://127.0.0.1:8000`" in SITE.page("llamacpp", lang).section(
            "serve"
        ), f"docs/llamacpp ({lang}) #serve no longer quotes the line"


CLIENTS = [
    "vllm/chat_completions.sh",
    "vllm/chat_completions_stream.sh",
    "vllm/openai_client.py",
    "vllm/openai_client_stream.py",
]


@pytest.mark.parametrize("name", CLIENTS)
def test_the_sites_clients_work_against_it(name, runner, llama_server):
    """The same client code as for vLLM, as the page says: the invariants of every chat call
    hold (a chat with the model, no special tokens in answers, streams stream)."""
    if name.endswith(".sh"):
        run = runner.shell(name, {PAGE_SERVER_URL: llama_server.base_url})
        assert run.record.exchanges
    else:
        run = runner.run(name, {f"{PAGE_SERVER_URL}/v1": f"{llama_server.base_url}/v1"})
    assert run.printed.strip()
