import re
import subprocess

from harness.qwen2.facts import MODEL_ID
from harness.suite import clis


def test_download_line_fetches_what_the_stand_in_replaces(snippet):
    """The page's download, parsed by hf's own parser: the folder the conversion reads is where
    the `converted` fixture puts the stand-in."""
    (line,) = [ln for ln in snippet.source().splitlines() if ln.startswith("hf download")]
    name, params = clis.hf(line)
    assert (name, params["repo_id"], params["local_dir"]) == (
        "download",
        MODEL_ID,
        "Qwen2-7B-Instruct",
    )


def test_convert_and_quantize_make_a_qwen2_gguf(workdir, converted, llama_server, tokenizer):
    """What the converted file holds, read through llama.cpp itself (the server that loaded it):
    Qwen2's tokenization (digits one by one, Chinese, the special tokens), its chat template and
    end token, and Q4_K_M with every matrix in a K-quant (none fallen back to another type, as a
    row length that is not a multiple of 256 makes llama-quantize do)."""
    text = "Qwen2 有 7,615 百万参数; 12345 tokens!<|im_end|>"
    ids = llama_server.answer("/tokenize", {"content": text, "parse_special": True})["tokens"]
    assert ids == tokenizer(text).input_ids, (ids, tokenizer(text).input_ids)
    props = llama_server.answer("/props")
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
