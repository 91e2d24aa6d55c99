"""The Ollama page's openai client. Ollama does not install here; llama.cpp's server, serving the
stand-in converted by the llama.cpp page's commands, answers for any model name, so the client
runs as the page shows it, only its address changed: the request it sends names Ollama's model
and asks a chat with the model (the invariants of every chat call hold)."""

from harness.qwen2.facts import OLLAMA_TAG
from harness.site import shell
from harness.site.pages import SITE

OLLAMA = "http://localhost:11434/v1"


def test_asks_the_question_as_the_page_shows(runner, snippet, llama_server):
    run = runner.run(snippet.name, {OLLAMA: f"{llama_server.base_url}/v1"})
    assert run.printed.startswith("Chat response: ") and run.printed.strip() != "Chat response:"
    (exchange,) = run.record.exchanges
    assert exchange.request["model"] == OLLAMA_TAG, exchange.request
    assert shell.commands(SITE.snippet_text("ollama/run.sh")) == [["ollama", "run", OLLAMA_TAG]]


def test_differs_from_the_sites_client_only_where_ollama_does():
    """The same question as the quickstart's client: only the key, the address and the model
    name change."""
    ours = SITE.snippet_text("ollama/openai_client.py").splitlines()
    site = SITE.snippet_text("vllm/openai_client.py").splitlines()
    changed = [(a.strip(), b.strip()) for a, b in zip(site, ours, strict=True) if a != b]
    assert [b.split("=")[0] for _, b in changed] == ["api_key", "base_url", "model"], changed
