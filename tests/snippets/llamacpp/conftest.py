"""The llama.cpp page, run for real on the CPU.

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
import sys
import urllib.request
from pathlib import Path

import pytest

from harness import llamacpp
from harness.processes import Server, free_port
from harness.qwen2 import standin
from harness.site.pages import SITE
from harness.suite.fixtures import LOGS
from harness.suite.runner import adapt

GGUF = "qwen2-7b-instruct-q4_k_m.gguf"


def amx_env() -> dict[str, str]:
    """On a CPU with Intel AMX (llamacpp.has_amx), weight repacking off through llama-server's
    and llama-cli's LLAMA_ARG_REPACK; the commands are otherwise the page's."""
    return {"LLAMA_ARG_REPACK": "0"} if llamacpp.has_amx() else {}


CONVERT_DOWNLOAD = "hf download Qwen/Qwen2-7B-Instruct --local-dir Qwen2-7B-Instruct  # (1)!"


@pytest.fixture(scope="session")
def llama_env() -> dict[str, str]:
    """The environment llama.cpp's programs run in (amx_env)."""
    return {**os.environ, **amx_env()}


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


@pytest.fixture
def post(llama_server):
    def send(path: str, body: dict) -> dict:
        request = urllib.request.Request(
            f"{llama_server.base_url}{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as r:
            return json.load(r)

    return send
