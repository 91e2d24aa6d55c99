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

import openai
import pytest

from harness.model import shell
from harness.model.facts import GENERATION_CONFIG, MODEL_ID, PAGE_SERVER_URL
from harness.model.site import SITE
from harness.suite.runner import SnippetError, adapt

pytestmark = [pytest.mark.server, pytest.mark.timeout(600)]


def run_shell(snippet, server):
    return snippet.shell({PAGE_SERVER_URL: server.base_url})


def run_client(snippet, server):
    """Run a Python client snippet against the test server (only the address is adapted)."""
    return snippet.run({f"{PAGE_SERVER_URL}/v1": f"{server.base_url}/v1"})


@pytest.mark.snippet("vllm/chat_completions.sh")
def test_curl_chat_completion(snippet, openai_server):
    reply = json.loads(run_shell(snippet, openai_server).printed)
    assert reply["object"] == "chat.completion"
    assert reply["model"].startswith(MODEL_ID)
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


@pytest.mark.snippet("vllm/openai_client_extra_body.py")
def test_vllm_only_parameters_reach_the_server(snippet, openai_server, gpu):
    """`extra_body` puts top_k and repetition_penalty at the top level of the request, with
    values other than the model's defaults. vLLM answers it; `transformers serve` (the cpu tier's
    server) rejects fields it does not know, so there the test checks the request it refused."""
    if gpu:
        run = run_client(snippet, openai_server)
        request = run.record.exchanges[0].request
        answer = run.namespace["chat_response"].choices[0].message.content
        assert answer.strip() and run.printed == answer + "\n"
    else:
        with pytest.raises(SnippetError) as failure:
            run_client(snippet, openai_server)
        refused = failure.value.__cause__
        assert isinstance(refused, openai.UnprocessableEntityError), repr(refused)
        why = str(refused.body)  # {"detail": "Unexpected fields in the request: {...}"}
        assert "top_k" in why and "repetition_penalty" in why, why
        request = failure.value.record.exchanges[0].request
    assert (request["top_k"], request["repetition_penalty"]) == (10, 1.1)
    defaults = GENERATION_CONFIG
    assert request["top_k"] != defaults["top_k"]
    assert request["repetition_penalty"] != defaults["repetition_penalty"]
    assert "extra_body" not in request


@pytest.mark.snippet("vllm/chat_completions_sampling.sh")
def test_curl_temperature_zero_is_greedy(snippet, openai_server):
    runs = [run_shell(snippet, openai_server) for _ in "ab"]
    replies = [json.loads(r.printed) for r in runs]
    contents = [r["choices"][0]["message"]["content"] for r in replies]
    assert contents[0].strip() and contents[0] == contents[1]
    assert replies[0]["usage"]["completion_tokens"] <= 256


@pytest.mark.snippet("vllm/serve_local.sh")
def test_vllm_serve_lists_the_model(snippet, openai_server):
    snippet.source()  # the server was started from it (harness.suite.plugin.make_server)
    with urllib.request.urlopen(f"{openai_server.base_url}/v1/models", timeout=10) as r:
        models = json.load(r)
    assert [m["id"] for m in models["data"]] == [MODEL_ID]


# vLLM's own parser for `vllm serve`'s options (its import path moved in 0.11).
PARSE = """
import json, sys
try:
    from vllm.utils.argparse_utils import FlexibleArgumentParser
except ImportError:
    from vllm.utils import FlexibleArgumentParser
from vllm.entrypoints.openai.cli_args import make_arg_parser
args = make_arg_parser(FlexibleArgumentParser()).parse_args(sys.argv[1:])
plain = (int, float, str, type(None), dict)
print(json.dumps({k: v for k, v in vars(args).items() if isinstance(v, plain)}, default=str))
"""


@pytest.fixture
def vllm_parse(vllm_python):
    """`vllm serve MODEL --options` as vLLM parses it: unknown options and bad values fail."""
    return lambda command: _vllm_parse(vllm_python, command)


def _vllm_parse(vllm_python: str, command: str) -> dict:
    argv = shell.argv(command)
    # Qwen/Qwen2-7B-Instruct, or one of its quantized releases (Qwen/Qwen2-7B-Instruct-AWQ, ...)
    assert argv[:2] == ["vllm", "serve"] and argv[2].startswith(MODEL_ID), argv
    done = subprocess.run(
        [vllm_python, "-c", PARSE, "--model", argv[2], *argv[3:]],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.snippet("vllm/serve.sh")
def test_vllm_serve_is_the_local_command_without_host(snippet, runner, vllm_parse):
    """serve.sh is serve_local.sh (which the gpu tier starts) without `--host 127.0.0.1`."""
    local = shell.argv(adapt(runner.site, "vllm/serve_local.sh"))  # read, not exercised
    assert local == [*shell.argv(snippet.source()), "--host", "127.0.0.1"]
    parsed = vllm_parse(snippet.source())
    # The page: port 8000, and every interface unless --host says otherwise.
    assert (parsed["port"], parsed["host"]) == (8000, None)


# What each variant on the pages sets, as vLLM reads it.
SERVE_OPTIONS = {
    "vllm/serve_max_model_len.sh": {"max_model_len": 8192, "gpu_memory_utilization": 0.95},
    "vllm/serve_tensor_parallel.sh": {"tensor_parallel_size": 2},
    "vllm/serve_float16.sh": {"dtype": "half"},
    "vllm/serve_awq.sh": {"model": f"{MODEL_ID}-AWQ", "max_model_len": 8192},
    "vllm/serve_gptq_int4.sh": {"model": f"{MODEL_ID}-GPTQ-Int4", "max_model_len": 8192},
    "tools/serve_tools.sh": {
        "enable_auto_tool_choice": True,
        "tool_call_parser": "hermes",
        "chat_template": "qwen2_tool_template.jinja",
    },
    "long_context/serve_yarn.sh": {
        "max_model_len": 131072,
        "hf_overrides": json.loads(SITE.snippet_text("long_context/rope_scaling.json")),
    },
}


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.snippet(n)) for n in SERVE_OPTIONS]
)
def test_vllm_serve_variant_sets_what_the_page_says(name, snippet, vllm_parse):
    parsed = vllm_parse(snippet.source())
    assert {k: parsed.get(k) for k in SERVE_OPTIONS[name]} == SERVE_OPTIONS[name]


@pytest.mark.snippet("vllm/serve_modelscope.sh")
def test_vllm_reads_the_modelscope_switch(snippet, vllm_python, vllm_parse):
    """The variable the page sets is the one vLLM reads, and its value turns ModelScope on; the
    serve line after it is the plain one."""
    install, serve = snippet.source().strip().splitlines()
    assert shlex.split(install) == ["pip", "install", "modelscope"]
    assign, *command = shlex.split(serve)
    key, value = assign.split("=")
    vllm_parse(shlex.join(command))
    done = subprocess.run(
        [vllm_python, "-c", f"import vllm.envs as e; print(e.{key})"],
        capture_output=True,
        text=True,
        env={**os.environ, key: value},
        timeout=300,
    )
    assert done.stdout.strip() == "True", done.stdout + done.stderr


@pytest.mark.snippet("vllm/serve_legacy.sh")
def test_legacy_entry_point_still_exists(snippet, vllm_python):
    argv = shlex.split(snippet.source())
    assert argv[0] == "python"
    done = subprocess.run([vllm_python, *argv[1:], "--help"], capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()


@pytest.mark.snippet("vllm/install.sh")
def test_vllm_install_command_runs(snippet, vllm_python):
    """`nox -s gpu` creates vLLM's environment by running this very snippet; here it runs again
    there (already satisfied)."""
    argv = shlex.split(snippet.source())
    done = subprocess.run([vllm_python, "-m", *argv], capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout + done.stderr
