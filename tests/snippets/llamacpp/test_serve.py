import json

import pytest

from harness.qwen2.facts import MODEL_FILES, MODEL_ID
from harness.site import shell
from harness.site.pages import LANGS, SITE
from harness.site.paths import PAGE_SERVER_URL

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Tell me something about large language models."},
]


def test_serves_qwen2_with_chatml(llama_server, tokenizer):
    assert [m["id"] for m in llama_server.answer("/v1/models")["data"]] == [MODEL_ID]
    served = llama_server.answer("/apply-template", {"messages": MESSAGES})["prompt"]
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


# -- which sampling it uses (docs/llamacpp.md#sampling) ---------------------------------------

# llama-server's /props names for the keys of generation_config.json
PROPS = {"temperature": "temperature", "top_p": "top_p", "top_k": "top_k"}
PROPS["repetition_penalty"] = "repeat_penalty"
# llama.cpp's own defaults, which the page quotes (common/common.h)
LLAMACPP_DEFAULTS = {"temperature": 0.8, "top_k": 40, "top_p": 0.95, "min_p": 0.05}
LLAMACPP_DEFAULTS["repeat_penalty"] = 1.0
FLAGS = "--temp 0.7 --top-p 0.8 --top-k 20 --min-p 0 --repeat-penalty 1.05"


@pytest.fixture(scope="module")
def file_of_2024(workdir, converted, llama_env, tmp_path_factory) -> str:
    """A file without general.sampling.* entries, as the official files of mid-2024 are: the
    stand-in converted by the same converter from a folder without generation_config.json (8-bit,
    straight from the converter; the format does not change what the server reads)."""
    import subprocess
    import sys

    from harness.qwen2 import standin

    folder = standin.download_to(tmp_path_factory.mktemp("of-2024") / "Qwen2-7B-Instruct")
    (folder / "generation_config.json").unlink()
    out = "qwen2-7b-instruct-q8_0-2024.gguf"
    done = subprocess.run(
        [sys.executable, "convert_hf_to_gguf.py", str(folder), "--outtype", "q8_0"]
        + ["--outfile", out],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=llama_env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # GGUF keeps its keys' names as plain bytes in the file's header.
    assert b"general.sampling.temp" in converted.read_bytes(), "converted without sampling"
    assert b"general.sampling." not in (workdir / out).read_bytes()
    return out


def sampling(start_page_server, gguf: str, replace: dict | None = None) -> dict:
    server = start_page_server(gguf, replace)
    try:
        params = server.answer("/props")["default_generation_settings"]["params"]
    finally:
        server.stop()
    return {k: round(params[k], 4) for k in [*PROPS.values(), "min_p"]}


def qwens() -> dict:
    config = json.loads((MODEL_FILES / "generation_config.json").read_text())
    return {prop: config[key] for key, prop in PROPS.items()} | {"min_p": 0}


@pytest.mark.parametrize("which", ["converted", "of 2024"])
def test_the_page_command_serves_qwens_sampling(which, start_page_server, converted, file_of_2024):
    """With the page's flags, both files: what the server uses is generation_config.json."""
    assert FLAGS in " ".join(shell.argv(SITE.snippet_text("llamacpp/serve.sh")))
    gguf = converted.name if which == "converted" else file_of_2024
    assert sampling(start_page_server, gguf) == qwens()


def test_without_the_flags_each_file_gets_what_the_page_says(
    start_page_server, converted, file_of_2024
):
    """The official files' lack of sampling entries leaves llama.cpp's defaults; a converted
    file carries Qwen's, but for min-p, which Qwen's configuration does not name."""
    plain = {" \\\n  " + FLAGS: ""}
    assert sampling(start_page_server, file_of_2024, plain) == LLAMACPP_DEFAULTS
    assert sampling(start_page_server, converted.name, plain) == qwens() | {"min_p": 0.05}
    for lang in LANGS:
        text = " ".join(SITE.page("llamacpp", lang).section("sampling").split())
        for figure in ("0.8", "40", "0.95", "0.05", "#17120", "64"):
            assert figure in text, f"docs/llamacpp ({lang}) #sampling: no {figure}"
