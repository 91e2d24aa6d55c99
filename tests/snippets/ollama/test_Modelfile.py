"""The Ollama page's Modelfile, read as Ollama reads it (its commands, as parser/parser.go
parses a Modelfile: a value in triple quotes kept verbatim, newlines included), its TEMPLATE
rendered by Go's text/template on the data Ollama gives a template (render_template.go), and
compared with what Qwen2's own chat template makes of the same messages. Ollama itself does
not install here; Go's toolchain does (Debian's golang-go)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.qwen2.facts import GENERATION_CONFIG, SPECIAL_TOKEN_IDS
from harness.qwen2.memory import CONTEXT
from harness.site import shell
from harness.site.pages import SITE

RENDER = Path(__file__).with_name("render_template.go")
# Ollama's PARAMETER names for the keys of generation_config.json.
PARAMETERS = {
    "temperature": "temperature",
    "top_p": "top_p",
    "top_k": "top_k",
    "repetition_penalty": "repeat_penalty",
}
SYSTEM = {"role": "system", "content": "You are a pirate. Answer in one sentence."}
CONVERSATIONS = {
    "one turn, no system prompt": [{"role": "user", "content": "Hello!"}],
    "one turn, a system prompt": [SYSTEM, {"role": "user", "content": "Hello!"}],
    "several turns, no system prompt": [
        {"role": "user", "content": "Name a colour."},
        {"role": "assistant", "content": "Blue."},
        {"role": "user", "content": "And another,\nplease."},
    ],
    "several turns, a system prompt": [
        SYSTEM,
        {"role": "user", "content": "Name a colour."},
        {"role": "assistant", "content": "Blue."},
        {"role": "user", "content": "And another?"},
    ],
}


def commands(text: str) -> list[tuple[str, str]]:
    """(command, value) for each line of a Modelfile, as Ollama's parser reads them: `#` starts
    a comment line; a value in triple quotes runs to the closing triple quotes, kept verbatim; a
    value in double quotes loses them; any other value runs to the end of its line."""
    found, at = [], 0
    pattern = re.compile(r'[ \t]*(?:#[^\n]*|(\w+)[ \t]+("""(?:.|\n)*?"""|"[^"\n]*"|[^\n]*))?\n?')
    while at < len(text):
        m = pattern.match(text, at)
        assert m and m.end() > at, f"snippets/ollama/Modelfile: cannot read at {text[at:][:40]!r}"
        at = m.end()
        if m[1]:
            value = m[2].strip(" \t")
            if value.startswith('"""'):
                value = value[3:-3]
            elif value.startswith('"'):
                value = value[1:-1]
            found.append((m[1].upper(), value))
    return found


@pytest.fixture
def modelfile(snippet) -> list[tuple[str, str]]:
    text = snippet.source()
    assert "\t" not in text, "Ollama's parser drops tabs: indent the Modelfile with spaces"
    return commands(text)


def parameters(modelfile) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for command, value in modelfile:
        if command == "PARAMETER":
            name, _, rest = value.partition(" ")
            out.setdefault(name, []).extend(shlex.split(rest))
    return out


@pytest.fixture(scope="module")
def render(tmp_path_factory):
    """The renderer, built once with the machine's Go (no network: GOPROXY=off)."""
    go = shutil.which("go")
    if not go:
        if os.environ.get("CI"):
            pytest.fail("Go is not installed: apt-get install golang-go")
        pytest.skip("Go is not installed (apt-get install golang-go): the template is not rendered")
    exe = tmp_path_factory.mktemp("go") / "render"
    env = {**os.environ, "GOPROXY": "off", "GOFLAGS": "", "GO111MODULE": "auto"}
    built = subprocess.run(
        [go, "build", "-o", str(exe), str(RENDER)], capture_output=True, text=True, env=env
    )
    assert built.returncode == 0, built.stderr

    def run(template: str, messages: list[dict]) -> str:
        done = subprocess.run(
            [exe],
            input=json.dumps({"template": template, "messages": messages}),
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    return run


@pytest.mark.parametrize("case", CONVERSATIONS)
def test_the_template_writes_qwen2s_prompt(case, modelfile, render, tokenizer):
    """Ollama's rendering of the Modelfile's TEMPLATE is, character for character, the prompt
    Qwen2's own chat template makes, its default system prompt included when none is given."""
    (template,) = [value for command, value in modelfile if command == "TEMPLATE"]
    messages = CONVERSATIONS[case]
    expected = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    assert render(template, messages) == expected


def test_the_parameters_are_qwens(modelfile):
    """Sampling as generation_config.json sets it; generation stops at the tokens it ends on;
    the context is the one the site's servers are given."""
    params = parameters(modelfile)
    wanted = {PARAMETERS[k]: [str(v)] for k, v in GENERATION_CONFIG.items() if k in PARAMETERS}
    assert {k: params.get(k) for k in wanted} == wanted
    ends = {v: k for k, v in SPECIAL_TOKEN_IDS.items()}
    assert params["stop"] == [ends[i] for i in GENERATION_CONFIG["eos_token_id"]]
    serve = shell.argv(SITE.snippet_text("llamacpp/serve.sh"))
    assert params["num_ctx"] == [serve[serve.index("-c") + 1]] == [str(CONTEXT)]
    assert set(params) == {*wanted, "stop", "num_ctx"}, f"unexplained: {set(params) - {*wanted}}"


def test_it_serves_the_file_the_llamacpp_page_downloads(modelfile):
    (source,) = [value for command, value in modelfile if command == "FROM"]
    download = shell.argv(SITE.snippet_text("llamacpp/download.sh"))
    assert Path(source).name in download, (source, download)


def test_the_template_fails_a_wrong_prompt(render, tokenizer):
    """The comparison can fail: Ollama's ChatML example from its template documentation, which
    adds no default system prompt, differs from Qwen2's template on a conversation without one."""
    example = (
        "{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}"
        "<|im_start|>assistant\n"
    )
    messages = CONVERSATIONS["one turn, no system prompt"]
    qwen2 = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    assert render(example, messages) != qwen2
    assert render(example, [SYSTEM, *messages]) == tokenizer.apply_chat_template(
        [SYSTEM, *messages], tokenize=False, add_generation_prompt=True
    )
