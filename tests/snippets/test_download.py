"""The download page: the downloads parsed by their own command-line tools (no network here),
loading from the folder, offline use and the mirror variable run for real on the stand-in."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

import pytest

from harness import standin
from harness.model.facts import MODEL_ID
from harness.suite import background, clis
from harness.suite.runner import adapt


@pytest.mark.snippet("download/hf_download.sh")
def test_hf_download_command_parses(snippet):
    name, params = clis.hf(snippet.source())
    assert (name, params["repo_id"], params["local_dir"]) == (
        "download",
        MODEL_ID,
        "Qwen2-7B-Instruct",
    )
    assert params["filenames"] == ()  # the whole repository


@pytest.mark.snippet("download/load_local.py")
def test_model_loads_from_the_downloaded_folder(snippet, monkeypatch, tmp_path):
    folder = shlex.split(snippet.source().split("=", 1)[1], comments=True)[0]
    assert folder == "./Qwen2-7B-Instruct"
    standin.download_to(tmp_path / "Qwen2-7B-Instruct")
    monkeypatch.chdir(tmp_path)
    run = snippet.run()
    assert run.namespace["model"].name_or_path == folder
    assert run.namespace["response"] is not None


def shell_then_python(snippet_text: str, code: str, env: dict | None = None):
    """The snippet, then a new interpreter running ``code``, in one shell."""
    script = f"{snippet_text}\n{shlex.quote(sys.executable)} -c {shlex.quote(code)}"
    argv = ["bash", "-ec", script]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)


OFFLINE_CHECK = """
import traceback
from transformers import AutoTokenizer
AutoTokenizer.from_pretrained({cached!r})
print("cached: loaded")
try:
    AutoTokenizer.from_pretrained({absent!r})
except Exception:
    traceback.print_exc()  # the whole chain: huggingface_hub's error is its cause
    print("absent: raised")
else:
    print("absent: loaded")
"""


@background.early
def offline_check(j) -> subprocess.CompletedProcess:
    """download/offline.sh, then a new interpreter (huggingface_hub reads the variable when it is
    imported) that loads the cached model and then one that is not cached (started at
    collection: the interpreter imports transformers, seconds of CPU)."""
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    code = OFFLINE_CHECK.format(cached=MODEL_ID, absent="Qwen/Qwen2-0.5B-Instruct")
    return shell_then_python(adapt(j.runner.site, "download/offline.sh"), code, env)


@pytest.mark.snippet("download/offline.sh")
def test_offline_variable_loads_from_the_cache_and_fails_fast_without(snippet, offline_check):
    """The cached model loads; one that is not cached raises at once, naming offline mode."""
    snippet.source()
    done = offline_check
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:2] == ["cached: loaded", "absent: raised"], (
        done.stdout,
        done.stderr[-2000:],
    )
    assert "outgoing traffic has been disabled" in done.stderr, done.stderr[-2000:]


@pytest.mark.snippet("download/mirror.sh")
def test_mirror_variable_is_where_downloads_come_from(snippet):
    value = snippet.source().split("=", 1)[1].strip()
    code = (
        "from huggingface_hub import constants, hf_hub_url; "
        "print(constants.ENDPOINT); print(hf_hub_url('Qwen/Qwen2-7B-Instruct', 'config.json'))"
    )
    done = shell_then_python(snippet.source(), code)
    assert done.returncode == 0, done.stderr[-2000:]
    endpoint, url = done.stdout.split()
    assert endpoint == value and url.startswith(f"{value}/Qwen/Qwen2-7B-Instruct/"), done.stdout


@pytest.mark.snippet("download/modelscope_download.sh")
def test_modelscope_download_command_parses(snippet):
    """ModelScope's own parser (modelscope_hub.cli.main), as `modelscope` builds it. The page
    says the older `--local_dir` still works: the same parser takes it."""
    line = snippet.source()
    args = clis.modelscope(line)
    assert (args.command, args.model, args.local_dir) == ("download", MODEL_ID, "Qwen2-7B-Instruct")
    legacy = clis.modelscope(line.replace("--local-dir", "--local_dir"))
    assert legacy.local_dir_legacy == "Qwen2-7B-Instruct"
