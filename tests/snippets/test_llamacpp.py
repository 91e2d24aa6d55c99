"""The llama.cpp page, run for real on the CPU.

llama.cpp is built by the page's own build commands (harness/llamacpp.py); the stand-in is
converted and quantized by the page's commands, served by the page's `llama-server` command on a
free loopback port, and queried by the site's own `curl` and `openai` snippets, which the page
says work unchanged. Only the downloads do not run (there is no network): `hf`'s own parser takes
each download command, and the files it would fetch come from the stand-in instead.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness import llamacpp, standin
from harness.model import shell
from harness.model.facts import MODEL_ID, PAGE_SERVER_URL
from harness.model.shapes import meta_model
from harness.model.site import LANGS, SITE
from harness.processes import Server, free_port
from harness.suite import background, clis, preload
from harness.suite.background import LOGS
from harness.suite.runner import Run, SnippetError, adapt

GGUF = "qwen2-7b-instruct-q4_k_m.gguf"
CONVERT_DOWNLOAD = "hf download Qwen/Qwen2-7B-Instruct --local-dir Qwen2-7B-Instruct  # (1)!"
MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Tell me something about large language models."},
]


@dataclass
class Converted:
    workdir: Path  # the folder the page works in (the llama.cpp checkout)
    gguf: Path  # what convert.sh made
    cli: Run | SnippetError  # cli.sh, run in the checkout on what convert.sh made


@background.early
def llama_converted(j) -> Converted:
    """snippets/llamacpp/convert.sh run in the checkout (started at collection: about 12 s of
    the converter and llama-quantize), its download's folder the stand-in, then cli.sh on what
    it made (a second, beside the other tests rather than after them). The checkout is the
    built tree, linked entry by entry into a scratch folder so that what the commands write stays
    out of the cache."""
    tree = llamacpp.ensure()
    work = j.scratch("llama.cpp-")
    for entry in tree.iterdir():
        (work / entry.name).symlink_to(entry)
    standin.download_to(work / "Qwen2-7B-Instruct")
    # `python` is this environment's, and runs the converter forked from the preloaded
    # interpreter (when the run started one): its imports of torch and transformers are paid.
    shim = preload.python_command(j.scratch("python-")).parent
    j.runner.shell(
        "llamacpp/convert.sh",
        {CONVERT_DOWNLOAD: "true  # downloaded above, from the stand-in"},
        timeout=600,
        cwd=work,
        env={**os.environ, "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}"},
        claim=False,
    )
    try:
        cli = j.runner.shell("llamacpp/cli.sh", cwd=work, timeout=120, claim=False)
    except SnippetError as error:  # its own test's failure, not every test's that needs the file
        cli = error
    return Converted(work, work / GGUF, cli)


@pytest.fixture(scope="module")
def workdir(llama_converted) -> Path:
    return llama_converted.workdir


@pytest.fixture(scope="module")
def converted(llama_converted) -> Path:
    """The converted file; the download command it stands for parsed by hf's own parser."""
    name, params = clis.hf(CONVERT_DOWNLOAD)
    assert (name, params["repo_id"], params["local_dir"]) == (
        "download",
        MODEL_ID,
        "Qwen2-7B-Instruct",
    )
    return llama_converted.gguf


@pytest.fixture(scope="module")
def llama_server(workdir, converted):
    """snippets/llamacpp/serve.sh, run in the checkout on a free loopback port."""
    port = free_port()
    here = shlex.quote(str(workdir))
    cmd = adapt(
        SITE,
        "llamacpp/serve.sh",
        {
            "./build/bin/llama-server": f"cd {here} && exec ./build/bin/llama-server",
            "--port 8000": f"--port {port}",
        },
    )
    server = Server(
        "llama-server", ["bash", "-c", cmd], port, LOGS / f"llama-server-{port}.log", 120
    )
    try:
        yield server.launch().wait()
    finally:
        server.stop()


@pytest.mark.snippet("llamacpp/build.sh")
def test_build_made_the_tools_the_page_runs(snippet):
    snippet.source()  # harness.llamacpp ran its commands, after the clone, in the sdist's tree
    bin_dir = llamacpp.ensure() / "build" / "bin"
    for tool in ("llama-server", "llama-cli"):
        done = subprocess.run(
            [bin_dir / tool, "--version"], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0 and "version:" in done.stderr, (tool, done.stderr[-500:])
    # llama-quantize has no --version: its usage lists the type the page quantizes to.
    done = subprocess.run([bin_dir / "llama-quantize"], capture_output=True, text=True, check=False)
    assert "usage:" in done.stdout and "Q4_K_M" in done.stdout, done.stdout[-500:]


@pytest.mark.snippet("llamacpp/convert_requirements.sh")
def test_convert_requirements_file_is_in_the_checkout(snippet):
    (line,) = snippet.source().splitlines()
    argv = shlex.split(line)
    assert argv[:3] == ["pip", "install", "-r"], line
    requirements = llamacpp.ensure() / argv[3]
    assert requirements.is_file(), f"{snippet.where()}: {argv[3]} is not in llama.cpp's tree"
    names = (
        requirements.read_text()
        + (requirements.parent / "requirements-convert_legacy_llama.txt").read_text()
    )
    for package in ("torch", "transformers", "sentencepiece", "numpy", "gguf"):
        assert package in names, f"{argv[3]} no longer names {package}"


@pytest.mark.snippet("llamacpp/convert.sh")
def test_convert_and_quantize_make_a_qwen2_gguf(
    snippet, workdir, converted, llama_server, tokenizer
):
    """What the converted file holds, read through llama.cpp itself (the server that loaded it):
    Qwen2's tokenization (digits one by one, Chinese, the special tokens), its chat template and
    end token, and Q4_K_M with every matrix in a K-quant (none fallen back to another type, as a
    row length that is not a multiple of 256 makes llama-quantize do)."""
    snippet.source()
    text = "Qwen2 有 7,615 百万参数; 12345 tokens!<|im_end|>"
    ids = post(llama_server, "/tokenize", {"content": text, "parse_special": True})["tokens"]
    assert ids == tokenizer(text).input_ids, (ids, tokenizer(text).input_ids)
    with urllib.request.urlopen(f"{llama_server.base_url}/props", timeout=10) as r:
        props = json.load(r)
    assert props["chat_template"] == tokenizer.chat_template
    assert props["eos_token"] == "<|im_end|>"
    assert props["model_ftype"] == "Q4_K - Medium"
    f16 = converted.with_name("qwen2-7b-instruct-f16.gguf")
    dry = subprocess.run(
        [workdir / "build" / "bin" / "llama-quantize", "--dry-run", f16, "Q4_K_M"],
        capture_output=True,
        text=True,
        check=False,
    )
    log = dry.stdout + dry.stderr
    types = set(re.findall(r"\((\w+)\)\s*$", log, re.M))
    assert dry.returncode == 0 and "fallback" not in log and types == {"q4_K", "q6_K"}, log[-3000:]


def post(server, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"{server.base_url}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.load(r)


@pytest.mark.snippet("llamacpp/download.sh")
def test_download_command_fetches_the_file_the_server_loads(snippet):
    name, params = clis.hf(snippet.source())
    assert name == "download"
    assert params["repo_id"] == "Qwen/Qwen2-7B-Instruct-GGUF"
    assert params["filenames"] == (GGUF,) and params["local_dir"] == "."
    assert f"-m {GGUF}" in SITE.snippet_text("llamacpp/serve.sh")


@pytest.mark.snippet("llamacpp/serve.sh")
def test_llama_server_serves_qwen2_with_chatml(snippet, llama_server, runner, tokenizer):
    snippet.source()
    with urllib.request.urlopen(f"{llama_server.base_url}/v1/models", timeout=10) as r:
        assert [m["id"] for m in json.load(r)["data"]] == [MODEL_ID]
    served = post(llama_server, "/apply-template", {"messages": MESSAGES})["prompt"]
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


CLIENTS = ["vllm/chat_completions.sh", "vllm/chat_completions_stream.sh"]
PY_CLIENTS = ["vllm/openai_client.py", "vllm/openai_client_stream.py"]


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.snippet(n)) for n in CLIENTS + PY_CLIENTS]
)
def test_the_sites_clients_work_against_llama_server(name, snippet, llama_server):
    """The same client code as for vLLM: the invariants of every chat call hold (a chat with
    the model, no special tokens in answers, streams stream)."""
    if name.endswith(".sh"):
        run = snippet.shell({PAGE_SERVER_URL: llama_server.base_url})
        assert run.record.exchanges and run.printed.strip()
    else:
        run = snippet.run({f"{PAGE_SERVER_URL}/v1": f"{llama_server.base_url}/v1"})
        assert run.printed.strip()


@pytest.mark.snippet("llamacpp/cli.sh")
def test_llama_cli_answers_one_turn(snippet, llama_converted):
    snippet.source()  # run by llama_converted
    if isinstance(llama_converted.cli, SnippetError):
        raise llama_converted.cli
    out = llama_converted.cli.printed
    prompt = "> Give me a short introduction to large language models.\n"
    assert prompt in out, out[-1500:]
    answer = out.split(prompt, 1)[1].split("[ Prompt:")[0].strip()
    assert answer and "<|im_" not in answer, out[-1500:]


# The quantizations the llama.cpp page lists, as llama-quantize names them.
QUANT_TYPES = ("Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M", "Q2_K")


@pytest.fixture(scope="module")
def shaped_like_qwen2_7b(tmp_path_factory) -> Path:
    """A 16-bit GGUF file with Qwen2-7B-Instruct's hyperparameters and every tensor at its real
    shape (built on PyTorch's meta device from its config.json, named as llama.cpp's converter
    names them), its data left as a hole in a sparse file: 15 GB long, a few KB on disk."""
    import numpy as np

    from harness.model.facts import MODEL_CONFIG as C

    sys.path.insert(0, str(llamacpp.ensure() / "gguf-py"))
    try:
        import gguf
    finally:
        sys.path.pop(0)
    model = meta_model()
    n = C["num_hidden_layers"]
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.QWEN2, n)
    path = tmp_path_factory.mktemp("gguf") / "qwen2-7b-shaped-f16.gguf"
    w = gguf.GGUFWriter(path, "qwen2")
    w.add_block_count(n)
    w.add_context_length(C["max_position_embeddings"])
    w.add_embedding_length(C["hidden_size"])
    w.add_feed_forward_length(C["intermediate_size"])
    w.add_head_count(C["num_attention_heads"])
    w.add_head_count_kv(C["num_key_value_heads"])
    w.add_rope_freq_base(C["rope_theta"])
    w.add_layer_norm_rms_eps(C["rms_norm_eps"])
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    for name, p in model.named_parameters():
        gguf_name = names.get_name(name, try_suffixes=(".weight", ".bias"))
        assert gguf_name, f"no GGUF name for {name}"
        matrix = p.dim() == 2  # the converter keeps matrices in 16 bits, vectors in 32
        dtype = np.dtype(np.float16 if matrix else np.float32)
        raw = gguf.GGMLQuantizationType.F16 if matrix else gguf.GGMLQuantizationType.F32
        w.add_tensor_info(gguf_name, list(p.shape), dtype, p.numel() * dtype.itemsize, raw)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    out = w.fout[0]
    align = w.data_alignment
    data = sum(t.nbytes + (-t.nbytes % align) for t in w.tensors[0].values())
    out.truncate(out.tell() + (-out.tell() % align) + data)
    w.close()
    return path


@pytest.fixture(scope="module")
def gguf_sizes(shaped_like_qwen2_7b) -> dict[str, tuple[float, str]]:
    """Each quantization the page lists: (bytes of weights, bits per weight), computed once."""
    tree = llamacpp.ensure()
    return {t: quantized_size(tree, shaped_like_qwen2_7b, t) for t in QUANT_TYPES}


def quantized_size(tree: Path, path: Path, ftype: str) -> tuple[float, str]:
    """llama-quantize --dry-run: the weights' size in bytes at ``ftype``, and bits per weight,
    by llama.cpp's own rules for which tensor gets which type."""
    done = subprocess.run(
        [tree / "build" / "bin" / "llama-quantize", "--dry-run", path, ftype],
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"quant size\s*=\s*([\d.]+) MiB \(([\d.]+) BPW\)", done.stdout + done.stderr)
    assert done.returncode == 0 and found, (done.stdout + done.stderr)[-2000:]
    return float(found[1]) * 2**20, found[2]


@pytest.mark.parametrize("lang", LANGS)
def test_gguf_sizes_are_computed_by_llama_quantize(lang, gguf_sizes):
    """The llama.cpp page's table of quantizations and the home page's hardware table state
    what llama-quantize computes for the real model's tensor shapes."""
    page = SITE.page("llamacpp", lang)
    table = page.section("download")
    rows = [
        f"| `{t.lower()}` | {bpw} | {size / 1e9:.1f} GB |" for t, (size, bpw) in gguf_sizes.items()
    ]
    missing = [r for r in rows if r not in table]
    assert not missing, f"{page.rel} #download does not state {missing} (computed here)"
    q4 = f"{gguf_sizes['Q4_K_M'][0] / 1e9:.1f} GB"
    hardware = SITE.page("index", lang).section("hardware")
    assert q4 in hardware, f"the home page's #hardware ({lang}) does not state {q4} for Q4_K_M"


@pytest.mark.parametrize("lang", LANGS)
def test_kv_cache_figures_follow_the_commands_context(lang):
    from harness.model.facts import KV_BYTES_PER_TOKEN, MODEL_CONFIG

    argv = shell.argv(SITE.snippet_text("llamacpp/serve.sh"))
    context = int(argv[argv.index("-c") + 1])
    full = MODEL_CONFIG["max_position_embeddings"]
    page = SITE.page("llamacpp", lang)
    kv = f"{context * KV_BYTES_PER_TOKEN / 2**30:.2f} GiB"
    for anchor in ("download", "serve"):
        assert f"{context:,}" in page.section(anchor) and kv in page.section(anchor), anchor
    serve = page.section("serve")
    assert f"{full:,}" in serve and f"{full * KV_BYTES_PER_TOKEN / 2**30:.2f} GiB" in serve
    layers = MODEL_CONFIG["num_hidden_layers"]
    assert re.search(rf"\b{layers}\b", serve), f"{page.rel} #serve: -ngl's layer count"
