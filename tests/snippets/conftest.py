"""What the mirror tests share: what vLLM itself reads from the pages' `vllm serve` commands,
and the llama.cpp page's server (which the Ollama page's client is run against too).

vLLM cannot serve on a CPU, but it installs on one (`nox -s tests` makes its environment from
the page's `pip install vllm`, at the release [tool.qwen2-guide.parsed] names, and sets VLLM).
So every `vllm serve` command on the pages is parsed and validated by vLLM's own parser on
every change, in one process for the whole session (tests/snippets/vllm_cli.py, about 25 s
here); only serving it waits for the gpu tier.

The llama.cpp page, run for real on the CPU.

llama.cpp is built by the page's own build commands (harness/llamacpp.py); the stand-in is
converted and quantized by the page's commands, served by the page's `llama-server` command on a
free loopback port, and queried by the site's own `curl` and `openai` snippets. Only the
downloads do not run (there is no network): `hf`'s own parser takes each download command, and
the files it would fetch come from the stand-in instead.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from harness import llamacpp
from harness.processes import Server, free_port
from harness.qwen2 import standin, successors
from harness.qwen2.facts import KV_BYTES_PER_TOKEN, MODEL_CONFIG, MODEL_ID
from harness.site import shell
from harness.site.pages import SITE
from harness.suite.fixtures import LOGS
from harness.suite.runner import adapt

PROBE = Path(__file__).with_name("vllm_cli.py")
# What the pages explain about vLLM beyond its commands: the options whose help they paraphrase,
# the modules they run, the parser that reads the tool-call template's replies.
HELP = ["api_key"]
MODULES = ["vllm.entrypoints.openai.api_server"]


# Forms the pages warn against, built from a page's command: vLLM must still reject them.
VARIANTS = {
    "long_context/serve_yarn.sh with the model card's key": (
        "long_context/serve_yarn.sh",
        {'"rope_type": "yarn"': '"type": "yarn"'},
    ),
    "long_context/serve_yarn.sh without max_position_embeddings": (
        "long_context/serve_yarn.sh",
        {', "max_position_embeddings": 131072': ""},
    ),
}


def serve_commands() -> dict[str, dict]:
    """Every `[VAR=value ...] vllm serve ...` line on the pages, by snippet, with the folder it
    runs in (the snippet's own, which holds the files the page has the reader save beside it)."""
    found = {}
    texts = {n: SITE.snippet_text(n) for n in SITE.manifest if n.endswith(".sh")}
    for variant, (name, replace) in VARIANTS.items():
        texts[variant] = texts[name]
        for old, new in replace.items():
            assert old in texts[name], f"{name} no longer contains {old!r}: update VARIANTS"
            texts[variant] = texts[variant].replace(old, new)
    for name, text in texts.items():
        lines = text.replace("\\\n", " ").splitlines()
        for words in (shell.argv(line) for line in lines if "vllm serve" in line):
            env = {}
            while words and "=" in words[0] and not words[0].startswith("-"):
                key, _, value = words.pop(0).partition("=")
                env[key] = value
            if words[:2] == ["vllm", "serve"]:
                folder = str(SITE.snippets / name.rpartition("/")[0])
                # The stand-in is in the cache (offline); the quantized releases are not, and
                # ModelScope's switch would download.
                served = words[2:3] in ([m] for m in (MODEL_ID, *successors.SUCCESSORS))
                model = served and not env
                found[name] = {"argv": words[2:], "env": env, "cwd": folder, "model_config": model}
    return found


@pytest.fixture(scope="session")
def vllm_cli(vllm_python, runner) -> dict:
    """vLLM's reading of the pages (tests/snippets/vllm_cli.py says what it holds). The tool-call
    parser reads the reply the chat page's own parser reads (tools/parse_tool_calls.py)."""
    reply = runner.result("tools/parse_tool_calls.py").namespace["reply"]
    gib, context, block = 1 << 30, MODEL_CONFIG["max_position_embeddings"], 16
    request = {
        "commands": serve_commands(),
        "help": HELP,
        "modules": MODULES,
        "tool_calls": {"name": "hermes", "model": MODEL_ID, "reply": reply},
        "quantizations": ["awq", "gptq"],
        "reasoning_parsers": ["qwen3"],
        "kv_cache": {
            "free": gib,
            "context": context,
            "per_token": KV_BYTES_PER_TOKEN,
            # vLLM's estimate of the tokens that fit, in its 16-token blocks
            "fits": gib // (KV_BYTES_PER_TOKEN * block) * block,
        },
    }
    argv = [vllm_python, str(PROBE)]
    done = subprocess.run(
        argv, input=json.dumps(request), capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    answer = json.loads(done.stdout.splitlines()[-1])
    if runner.tier == "cpu":  # what the pages say was checked (the verified-versions table)
        assert answer["version"] == SITE.parsed_versions["vllm"], f"{vllm_python}: {answer}"
    return answer


@pytest.fixture
def served(snippet, vllm_cli) -> dict:
    """The mirrored snippet's `vllm serve` options as vLLM parses them; its error fails here."""
    command = vllm_cli["commands"][snippet.name]
    assert "error" not in command, f"{snippet.where()}: vLLM {vllm_cli['version']}: {command}"
    tag = command["args"]["model_tag"]
    assert tag.startswith(MODEL_ID) or tag in successors.SUCCESSORS, tag
    return command["args"]


@pytest.fixture
def sets(served):
    """What the mirrored command sets, as vLLM reads it: ``sets(option=value, ...)`` asserts."""

    def check(**wanted) -> None:
        assert {k: served.get(k) for k in wanted} == wanted

    return check


# -- the llama.cpp page's server ------------------------------------------------------------------

GGUF = "qwen2-7b-instruct-q4_k_m.gguf"


CONVERT_DOWNLOAD = "hf download Qwen/Qwen2-7B-Instruct --local-dir Qwen2-7B-Instruct  # (1)!"


@pytest.fixture(scope="session")
def llama_env() -> dict[str, str]:
    """The environment llama.cpp's programs run in (llamacpp.environment)."""
    return llamacpp.environment()


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    """The folder the page works in: the built llama.cpp checkout, linked entry by entry into a
    scratch folder so that what the commands write stays out of the cache."""
    tree = llamacpp.ensure()
    work = tmp_path_factory.mktemp("llama.cpp")
    for entry in tree.iterdir():
        (work / entry.name).symlink_to(entry)
    return work


@pytest.fixture(scope="session")
def converted(runner, workdir) -> Path:
    """snippets/llamacpp/convert.sh run in the checkout, its download's folder the stand-in, with
    the `python` of the environment the converter's requirements are installed in."""
    standin.download_to(workdir / "Qwen2-7B-Instruct")
    download = {CONVERT_DOWNLOAD: "true  # downloaded above, from the stand-in"}
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    env = {**os.environ, "PATH": path}
    runner.shell("llamacpp/convert.sh", download, timeout=600, cwd=workdir, env=env)
    return workdir / GGUF


@pytest.fixture(scope="session")
def llama_server(workdir, converted, llama_env):
    """snippets/llamacpp/serve.sh, run in the checkout on a free loopback port."""
    server = page_server(workdir, llama_env, GGUF)
    try:
        yield server
    finally:
        server.stop()


def page_server(workdir, llama_env, gguf: str, replace: dict[str, str] | None = None) -> Server:
    """The page's serve.sh on a free loopback port, in the checkout, on ``gguf`` (adapted by
    ``replace``), started; the caller stops it."""
    port = free_port()
    here = shlex.quote(str(workdir))
    cmd = adapt(
        SITE,
        "llamacpp/serve.sh",
        {
            "./build/bin/llama-server": f"cd {here} && exec ./build/bin/llama-server",
            "--port 8000": f"--port {port}",
            GGUF: gguf,
            **(replace or {}),
        },
    )
    log = LOGS / f"llama-server-{port}.log"
    return Server("llama-server", ["bash", "-c", cmd], port, log, 120, llama_env).launch().wait()


@pytest.fixture(scope="session")
def start_page_server(workdir, converted, llama_env):
    """``start(gguf, replace)``: the page's serve.sh on another file, adapted; stop it after."""
    return lambda gguf, replace=None: page_server(workdir, llama_env, gguf, replace)
