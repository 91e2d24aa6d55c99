"""The errors the troubleshooting page quotes, reproduced.

Each is declared once, as a `raises` of the snippet that raises it (snippets/snippets.toml), and
the page shows it from the declared file under snippets/outputs/errors/. These tests make the
snippet raise it, as printed by the library today, and compare it with that file.
"""

from __future__ import annotations

import json
import os
import subprocess
from importlib.metadata import version

import pytest

from harness.model import manifest
from harness.model.facts import KV_BYTES_PER_TOKEN, MODEL_CONFIG
from harness.model.site import SITE
from harness.suite import background
from harness.suite.runner import adapt

ERRORS = [(name, r) for name, e in SITE.manifest.items() for r in e.raises]


def cases(keep):
    return [
        pytest.param(n, r, marks=pytest.mark.snippet(n), id=r.output.rsplit("/", 1)[-1])
        for n, r in ERRORS
        if keep(r)
    ]


def quoted(error: manifest.Raises) -> str:
    return SITE.snippet_text(error.output).strip()


def side_python(error: manifest.Raises) -> str | None:
    """The interpreter of the environment with the old release (`nox -s oldest` makes them and
    names them in SIDE_PYTHONS)."""
    return json.loads(os.environ.get("SIDE_PYTHONS", "{}")).get(error.under)


@background.early
def older_release_runs(j) -> dict[tuple[str, str], tuple[str, subprocess.CompletedProcess]]:
    """Each snippet whose error comes from an older release, run as a script in that release's
    environment, with the release's version as that environment reports it; keyed by (snippet,
    release). Started at collection: each run imports torch and transformers, seconds of CPU."""
    folder = j.scratch("older-releases-")
    runs = {}
    for n, (name, error) in enumerate(ERRORS):
        python = side_python(error)
        if not python:
            continue
        package = error.under.split("==")[0]
        got = subprocess.run(
            [python, "-c", f"import importlib.metadata as m; print(m.version({package!r}))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        script = folder / str(n) / name.rsplit("/", 1)[-1]
        script.parent.mkdir()
        script.write_text(adapt(j.runner.site, name), encoding="utf-8")
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        done = subprocess.run(
            [python, str(script)], capture_output=True, text=True, env=env, timeout=600
        )
        runs[name, error.under] = (got, done)
    return runs


@pytest.mark.parametrize("name,error", cases(lambda r: r.under is not None))
def test_raises_under_an_older_release(name, error, snippet, older_release_runs):
    """The snippet, run as a script in an environment with the old release, ends with the error
    the page quotes."""
    if not side_python(error):
        pytest.skip(f"needs an environment with {error.under}: `nox -s oldest` runs this test")
    snippet.source()
    package, wanted = error.under.split("==")
    got, done = older_release_runs[name, error.under]
    assert got == wanted, f"SIDE_PYTHONS[{error.under!r}] has {package} {got}"
    assert done.returncode != 0, f"{snippet.where()} ran without error under {error.under}"
    last = done.stderr.strip().splitlines()[-1]
    assert last == quoted(error), (
        f"under {error.under}, {snippet.where()} now ends with\n  {last}\n"
        f"but snippets/{error.output} (shown on the page) says\n  {quoted(error)}"
    )


@pytest.mark.parametrize("name,error", cases(lambda r: r.tier == "cpu"))
def test_raises_on_cpu(name, error, snippet, gpu):
    """On the cpu tier (no GPU, no flash-attn) the snippet raises what the page quotes. With the
    newest verified transformers, word for word; with an older one, the same exception type."""
    if gpu:
        pytest.skip("the gpu tier runs this snippet for real")
    from harness.suite.runner import SnippetError

    with pytest.raises(SnippetError) as failure:
        snippet.run()
    cause = failure.value.__cause__
    got = f"{type(cause).__name__}: {cause}"
    newest = SITE.verified_versions["transformers"][1]
    if version("transformers") == newest:
        assert got == quoted(error), (
            f"{snippet.where()} now raises\n  {got}\nbut snippets/{error.output} says\n  "
            f"{quoted(error)}"
        )
    else:  # older releases word it differently; the page quotes the newest
        assert got.split(":")[0] == quoted(error).split(":")[0], got


@pytest.mark.gpu
@pytest.mark.parametrize("name,error", cases(lambda r: r.tier == "gpu"))
def test_vllm_prints_the_kv_cache_error(name, error, snippet, vllm_python):
    """vLLM's own check, called with Qwen2-7B-Instruct's KV cache size for its full context and
    1 GiB free, prints the message the page quotes (vLLM's 16-token blocks round the estimate)."""
    snippet.source()
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
    assert done.stdout.strip() == quoted(error), done.stdout + done.stderr
