"""The curl and openai-client snippets, against a real OpenAI-compatible server on loopback.

cpu tier: `transformers serve` serving the stand-in. gpu tier: vLLM started with the page's own
`vllm serve` command, serving the real Qwen2-7B-Instruct. Only the address is adapted.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

import pytest

import runner

pytestmark = [pytest.mark.server, pytest.mark.timeout(600)]
PAGE_URL = "http://localhost:8000"
MODEL = "Qwen/Qwen2-7B-Instruct"


def run_shell(snippet: str, server) -> str:
    script = runner.source(snippet, {PAGE_URL: server.base_url})
    done = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{runner.where(snippet)} exited {done.returncode}:\n{done.stderr}"
    return done.stdout


def run_client(snippet: str, server) -> dict:
    """Run a Python client snippet against the test server (only the address is adapted)."""
    return runner.run(snippet, {}, {f"{PAGE_URL}/v1": f"{server.base_url}/v1"})


def sse_events(body: str) -> list[str]:
    return [line[len("data: ") :] for line in body.splitlines() if line.startswith("data: ")]


@pytest.mark.snippet("vllm/chat_completions.sh")
def test_curl_chat_completion(openai_server):
    reply = json.loads(run_shell("vllm/chat_completions.sh", openai_server))
    assert reply["object"] == "chat.completion"
    assert reply["model"].startswith(MODEL)
    (choice,) = reply["choices"]
    assert choice["message"]["role"] == "assistant"
    assert isinstance(choice["message"]["content"], str) and choice["message"]["content"].strip()
    assert choice["finish_reason"] in {"stop", "length"}
    assert reply["usage"]["prompt_tokens"] > 0 and reply["usage"]["completion_tokens"] > 0


@pytest.mark.snippet("vllm/chat_completions_stream.sh")
def test_curl_streams_chunks(openai_server, gpu):
    events = sse_events(run_shell("vllm/chat_completions_stream.sh", openai_server))
    if gpu:  # the page says vLLM ends the stream so; transformers serve just closes it
        assert events[-1] == "[DONE]", events[-3:]
    chunks = [json.loads(e) for e in events if e != "[DONE]"]
    assert len(chunks) >= 2, events
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text.strip(), "the stream carried no text"
    finish = [c["choices"][0].get("finish_reason") for c in chunks if c["choices"]]
    assert finish[-1] in {"stop", "length"} and not any(finish[:-1])


@pytest.mark.snippet("vllm/openai_client.py")
def test_openai_client(openai_server, capsys):
    ns = run_client("vllm/openai_client.py", openai_server)
    message = ns["chat_response"].choices[0].message
    assert message.role == "assistant" and message.content.strip()
    assert capsys.readouterr().out == f"Chat response: {message.content}\n"


@pytest.mark.snippet("vllm/openai_client_stream.py")
def test_openai_client_streams(openai_server, capsys):
    run_client("vllm/openai_client_stream.py", openai_server)
    printed = capsys.readouterr().out
    assert printed.endswith("\n") and printed.strip(), "nothing was streamed"


def vllm_python() -> str:
    vllm = os.environ.get("VLLM")
    if not vllm:
        pytest.fail("gpu tier: set VLLM to the vllm executable of its environment", pytrace=False)
    return str(Path(vllm).with_name("python"))


@pytest.mark.gpu
@pytest.mark.snippet("vllm/serve.sh")
def test_vllm_serve_lists_the_model(openai_server):
    import urllib.request

    with urllib.request.urlopen(f"{openai_server.base_url}/v1/models", timeout=10) as r:
        models = json.load(r)
    assert [m["id"] for m in models["data"]] == [MODEL]


@pytest.mark.gpu
@pytest.mark.snippet("vllm/serve_legacy.sh")
def test_legacy_entry_point_still_exists():
    argv = shlex.split(runner.source("vllm/serve_legacy.sh"))
    assert argv[0] == "python"
    done = subprocess.run([vllm_python(), *argv[1:], "--help"], capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()


@pytest.mark.gpu
@pytest.mark.snippet("vllm/install.sh")
def test_vllm_install_command_is_satisfied():
    argv = shlex.split(runner.source("vllm/install.sh"))
    assert argv[:2] == ["pip", "install"]
    cmd = [vllm_python(), "-m", "pip", "install", "--dry-run", "--no-index", *argv[2:]]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "Would install" not in done.stdout, done.stdout + done.stderr


@pytest.mark.snippet("vllm/openai_client_async.py")
def test_async_openai_client_streams(openai_server, capsys):
    run_client("vllm/openai_client_async.py", openai_server)
    printed = capsys.readouterr().out
    assert printed.endswith("\n") and printed.strip(), "nothing was streamed"


@pytest.mark.snippet("vllm/openai_client_sampling.py")
def test_sampling_with_a_seed_is_repeatable(openai_server, capsys):
    answers = []
    for _ in range(2):
        ns = run_client("vllm/openai_client_sampling.py", openai_server)
        answers.append(ns["chat_response"].choices[0].message.content)
    assert answers[0].strip() and answers[0] == answers[1]
    assert capsys.readouterr().out == f"{answers[0]}\n{answers[1]}\n"


@pytest.mark.snippet("vllm/chat_completions_sampling.sh")
def test_curl_temperature_zero_is_greedy(openai_server):
    replies = [
        json.loads(run_shell("vllm/chat_completions_sampling.sh", openai_server)) for _ in "ab"
    ]
    contents = [r["choices"][0]["message"]["content"] for r in replies]
    assert contents[0].strip() and contents[0] == contents[1]
    assert replies[0]["usage"]["completion_tokens"] <= 256
