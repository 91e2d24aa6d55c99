"""The curl and openai-client snippets, against a real OpenAI-compatible server on loopback.

cpu tier: `transformers serve` serving the stand-in. gpu tier: vLLM started with the page's own
`vllm serve` command, serving the real Qwen2-7B-Instruct. Only the address is adapted. The runner
checks every request and answer against the invariants (a chat with the served model, streamed
requests stream, no special tokens in answers).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.server, pytest.mark.timeout(600)]
PAGE_URL = "http://localhost:8000"
MODEL = "Qwen/Qwen2-7B-Instruct"


def run_shell(snippet, server):
    return snippet.shell({PAGE_URL: server.base_url})


def run_client(snippet, server):
    """Run a Python client snippet against the test server (only the address is adapted)."""
    return snippet.run({f"{PAGE_URL}/v1": f"{server.base_url}/v1"})


@pytest.mark.snippet("vllm/chat_completions.sh")
def test_curl_chat_completion(snippet, openai_server):
    reply = json.loads(run_shell(snippet, openai_server).printed)
    assert reply["object"] == "chat.completion"
    assert reply["model"].startswith(MODEL)
    (choice,) = reply["choices"]
    assert choice["message"]["role"] == "assistant"
    assert choice["finish_reason"] in {"stop", "length"}
    assert reply["usage"]["prompt_tokens"] > 0 and reply["usage"]["completion_tokens"] > 0


@pytest.mark.snippet("vllm/chat_completions_stream.sh")
def test_curl_streams_chunks(snippet, openai_server, gpu):
    (exchange,) = run_shell(snippet, openai_server).record.exchanges
    events = exchange.events
    if gpu:  # the page says vLLM ends the stream so; transformers serve just closes it
        assert events[-1] == "[DONE]", events[-3:]
    chunks = [json.loads(e) for e in events if e != "[DONE]"]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    finish = [c["choices"][0].get("finish_reason") for c in chunks if c["choices"]]
    assert finish[-1] in {"stop", "length"} and not any(finish[:-1])


@pytest.mark.snippet("vllm/openai_client.py")
def test_openai_client(snippet, openai_server):
    run = run_client(snippet, openai_server)
    message = run.namespace["chat_response"].choices[0].message
    assert message.role == "assistant" and message.content.strip()
    assert run.printed == f"Chat response: {message.content}\n"


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.snippet(n))
        for n in ("vllm/openai_client_stream.py", "vllm/openai_client_async.py")
    ],
)
def test_openai_client_streams(name, snippet, openai_server):
    run = run_client(snippet, openai_server)
    (exchange,) = run.record.exchanges
    assert exchange.request["stream"] is True
    assert run.printed == exchange.answer + "\n"


@pytest.mark.snippet("vllm/openai_client_sampling.py")
def test_sampling_parameters_reach_the_server(snippet, openai_server):
    """What the client sends is what the page annotates. The page does not promise that the seed
    makes answers repeatable (vLLM does not for `vllm serve`), and this test does not check it:
    other requests running at the same time share the server's sampling state."""
    run = run_client(snippet, openai_server)
    request = run.record.exchanges[0].request
    assert (request["temperature"], request["top_p"], request["seed"]) == (0.7, 0.8, 42)
    assert request["max_tokens"] == 512
    answer = run.namespace["chat_response"].choices[0].message.content
    assert run.printed == answer + "\n"


@pytest.mark.snippet("vllm/chat_completions_sampling.sh")
def test_curl_temperature_zero_is_greedy(snippet, openai_server):
    runs = [run_shell(snippet, openai_server) for _ in "ab"]
    replies = [json.loads(r.printed) for r in runs]
    contents = [r["choices"][0]["message"]["content"] for r in replies]
    assert contents[0].strip() and contents[0] == contents[1]
    assert replies[0]["usage"]["completion_tokens"] <= 256


def vllm_python() -> str:
    vllm = os.environ.get("VLLM")
    if not vllm:
        pytest.skip("vllm is not installed: set VLLM to the vllm executable (see `nox -s gpu`)")
    return str(Path(vllm).with_name("python"))


@pytest.mark.snippet("vllm/serve_local.sh")
def test_vllm_serve_lists_the_model(snippet, openai_server):
    snippet.source()  # the server was started from it (harness.plugin.make_server)
    with urllib.request.urlopen(f"{openai_server.base_url}/v1/models", timeout=10) as r:
        models = json.load(r)
    assert [m["id"] for m in models["data"]] == [MODEL]


@pytest.mark.snippet("vllm/serve.sh")
def test_vllm_serve_is_the_local_command_without_host(snippet, runner):
    """serve.sh is serve_local.sh (which the gpu tier starts) without `--host 127.0.0.1`: valid
    arguments, vLLM's defaults for the rest. vllm's own parser checks it."""
    argv = shlex.split(snippet.source())
    local = shlex.split(runner._source("vllm/serve_local.sh"))
    assert local == [*argv, "--host", "127.0.0.1"]
    vllm = str(Path(vllm_python()).with_name("vllm"))
    done = subprocess.run([vllm, *argv[1:], "--help"], capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()


@pytest.mark.snippet("vllm/serve_legacy.sh")
def test_legacy_entry_point_still_exists(snippet):
    argv = shlex.split(snippet.source())
    assert argv[0] == "python"
    done = subprocess.run([vllm_python(), *argv[1:], "--help"], capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()


@pytest.mark.snippet("vllm/install.sh")
def test_vllm_install_command_runs(snippet):
    """`nox -s gpu` creates vLLM's environment by running this very snippet; here it runs again
    there (already satisfied)."""
    argv = shlex.split(snippet.source())
    done = subprocess.run(
        [vllm_python(), "-m", *argv], capture_output=True, text=True, timeout=1800
    )
    assert done.returncode == 0, done.stdout + done.stderr
