"""The "After Qwen2" page: every difference it states between Qwen2-7B-Instruct, Qwen2.5-7B-Instruct
and Qwen3-8B, checked on the three stand-ins (harness/qwen2/successors.py) and computed from the
models' configurations."""

from __future__ import annotations

import json
import re

import pytest

from harness import llamacpp
from harness.processes import Server, free_port
from harness.qwen2 import successors
from harness.qwen2.facts import MODEL_CONFIG, MODEL_ID, kv_bytes_per_token
from harness.qwen2.shapes import on_meta
from harness.site.pages import LANGS, SITE

QWEN25, QWEN3 = successors.SUCCESSORS
MODELS = (MODEL_ID, QWEN25, QWEN3)
# llama.cpp's copies of the models' own templates (models/templates/ in its source tree).
LLAMACPP_TEMPLATES = {
    QWEN25: "Qwen-Qwen2.5-7B-Instruct.jinja",
    QWEN3: "Qwen-Qwen3-0.6B.jinja",
}
USER = {"role": "user", "content": "Tell me something about large language models."}
# One turn; and several, an earlier answer with its thinking (which Qwen3's template drops).
CONVERSATIONS = [
    [USER],
    [
        {"role": "system", "content": "You are a helpful assistant."},
        USER,
        {"role": "assistant", "content": "<think>\nThe user asks.\n</think>\n\nThey predict."},
        {"role": "user", "content": "And small ones?"},
    ],
]


@pytest.fixture(scope="module")
def tokenizers():
    from transformers import AutoTokenizer

    return {m: AutoTokenizer.from_pretrained(m) for m in MODELS}


def prompt(tokenizer, messages, **kw) -> str:
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True, **kw)


@pytest.mark.parametrize("model", LLAMACPP_TEMPLATES)
def test_the_templates_are_the_ones_llamacpp_keeps(model):
    copy = llamacpp.ensure() / "models" / "templates" / LLAMACPP_TEMPLATES[model]
    ours = successors.files(model)["chat_template.jinja"]
    assert ours == copy.read_text(encoding="utf-8"), f"{model}: its template differs from {copy}"


def chat_snippets() -> list[str]:
    """The chat page's Python blocks that continue the quickstart's code and generate (not those
    that print a prompt or a setting of Qwen2's, which the page's own outputs show)."""
    entries = SITE.manifest
    return [
        i.path
        for b in SITE.page("chat", "en").blocks
        for i in b.includes[:1]
        if i.path in entries
        and entries[i.path].continues == "transformers/generate.py"
        and not (entries[i.path].output or entries[i.path].raises or entries[i.path].replaces)
    ]


@pytest.mark.parametrize("model", successors.SUCCESSORS)
def test_the_sites_chat_code_runs_with_only_the_id_changed(runner, model):
    """The quickstart's code, its model name replaced, on each stand-in, then each of the chat
    page's blocks after it: the invariants of every generation hold (the generation prompt, no
    special tokens in the answer, streams that stream)."""
    base = runner.run("transformers/generate.py", {MODEL_ID: model})
    assert base.printed.strip() and base.namespace["model"].config.model_type in ("qwen2", "qwen3")
    ran = []
    for name in chat_snippets():
        ran.append(name)
        run = runner.run(name, after=base)
        assert run.printed.strip() or run.record.generate_calls, f"{name} on {model}: no answer"
    assert len(ran) >= 5, ran


def figures(config: dict) -> dict[str, str]:
    """Parameters, bfloat16 weights and KV cache per token, from a config.json."""
    n = sum(p.numel() for p in on_meta(config).parameters())
    return {"params": n, "weights": f"{2 * n / 1e9:.1f} GB", "kv": kv_bytes_per_token(config)}


@pytest.mark.parametrize("lang", LANGS)
def test_the_table_states_what_the_configs_give(lang):
    page = SITE.page("after-qwen2", lang)
    compare = page.section("compare")
    rows = {line.split("|")[1].strip(): line for line in compare.splitlines() if "|" in line}
    qwen2, qwen3 = figures(MODEL_CONFIG), figures(successors.config(QWEN3))
    assert successors.config(QWEN25) == MODEL_CONFIG, "Qwen2.5-7B has Qwen2-7B's shapes"
    billions = (
        (lambda n: f"{n / 1e9:.1f} billion") if lang == "en" else (lambda n: f"{n / 1e8:.0f} 亿")
    )
    weights_row = next(r for k, r in rows.items() if "bfloat16" in k)
    kv_row = next(r for k, r in rows.items() if "KV" in k)
    params_row = rows["Parameters" if lang == "en" else "参数量"]
    for f in (qwen2, qwen2, qwen3):
        assert billions(f["params"]) in params_row and f["weights"] in weights_row
        assert f"{f['kv'] // 1024} KiB" in kv_row
    text = " ".join(compare.split())
    for tokens in (16384, 32768):
        assert f"{tokens:,}" in text and f"{tokens * qwen3['kv'] / 2**30:.2f} GiB" in text
    c = successors.config(QWEN3)
    product = f"2 × {c['num_hidden_layers']} × {c['num_key_value_heads']} × {c['head_dim']} × 2"
    assert product in text, product


@pytest.mark.parametrize("lang", LANGS)
def test_the_default_system_prompts(tokenizers, lang):
    """Without a system message Qwen2 and Qwen2.5 write their own, as the table quotes them, and
    Qwen3 writes none; a system message replaces the default in all three."""
    rows = SITE.page("after-qwen2", lang).section("compare")
    expected = {
        MODEL_ID: "You are a helpful assistant.",
        QWEN25: "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.",
        QWEN3: None,
    }
    for model, default in expected.items():
        written = prompt(tokenizers[model], [USER])
        if default:
            assert written.startswith(f"<|im_start|>system\n{default}<|im_end|>\n"), written
            assert default in rows, f"{lang}: the table does not quote {default!r}"
        else:
            assert written.startswith("<|im_start|>user\n"), written
        own = prompt(tokenizers[model], [{"role": "system", "content": "Be brief."}, USER])
        assert own.startswith("<|im_start|>system\nBe brief.<|im_end|>\n"), own


def test_the_official_templates_write_the_tools(tokenizers, runner):
    """Qwen2.5's and Qwen3's templates list the chat page's tool in <tools></tools> and ask for
    <tool_call></tool_call>, which the chat page's parser reads; Qwen2's ignores it."""
    from transformers.utils import get_json_schema

    tool = runner.result("tools/template_ignores_tools.py").namespace["get_current_weather"]
    qwen2 = tokenizers[MODEL_ID]
    assert prompt(qwen2, [USER], tools=[tool]) == prompt(qwen2, [USER])
    parse = runner.result("tools/parse_tool_calls.py").namespace["parse_tool_calls"]
    schema = json.dumps(get_json_schema(tool), ensure_ascii=False)
    for model in successors.SUCCESSORS:
        written = prompt(tokenizers[model], [USER], tools=[tool])
        assert "<tools>\n" + schema + "\n</tools>" in written, written
        assert "<tool_call></tool_call>" in written
        call = '<tool_call>\n{"name": "get_current_weather", "arguments": {"location": "Beijing"}}'
        assert parse(call + "\n</tool_call>") == [
            {"name": "get_current_weather", "arguments": {"location": "Beijing"}}
        ]


def test_qwen3_drops_the_thinking_of_earlier_turns(tokenizers):
    history = [
        USER,
        {"role": "assistant", "content": "<think>\nSecret reasoning.\n</think>\n\nThey predict."},
        {"role": "user", "content": "More?"},
    ]
    written = prompt(tokenizers[QWEN3], history)
    assert (
        "Secret reasoning" not in written
        and "<|im_start|>assistant\nThey predict.<|im_end|>" in written
    )


def test_the_llamacpp_the_site_builds_runs_qwen3(tmp_path, tokenizers):
    """llama.cpp's converter, run as the llama.cpp page runs it, makes a qwen3 GGUF file of the
    Qwen3 stand-in, its chat template inside, and the llama-server built beside it loads the file,
    writes the prompts transformers writes with that template, and answers."""
    import subprocess
    import sys

    from huggingface_hub import snapshot_download

    tree = llamacpp.ensure()
    out = tmp_path / "qwen3.gguf"
    argv = [sys.executable, tree / "convert_hf_to_gguf.py", snapshot_download(QWEN3)]
    done = subprocess.run(
        [*argv, "--outfile", out, "--outtype", "f16"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    port, log = free_port(), tmp_path / "llama-server.log"
    serve = [str(tree / "build" / "bin" / "llama-server"), "-m", str(out), "--port", str(port)]
    serve += ["--log-verbosity", "4"]  # the loader's report, the architecture it read among it
    server = Server("llama-server", serve, port, log, 120, llamacpp.environment()).launch().wait()
    try:
        props = server.answer("/props")
        written = [
            server.answer("/apply-template", {"messages": c}, timeout=30)["prompt"]
            for c in CONVERSATIONS
        ]
        chat = {"messages": [USER], "max_tokens": 4}
        answer = server.answer("/v1/chat/completions", chat, timeout=30)
    finally:
        server.stop()
    # llama.cpp's loader names the architecture it read from the file.
    assert re.search(r"print_info: arch\s+= qwen3$", server.tail(10**6), re.M), server.tail()
    assert props["chat_template"] == successors.files(QWEN3)["chat_template.jinja"]
    assert written == [prompt(tokenizers[QWEN3], c) for c in CONVERSATIONS]
    assert answer["usage"]["completion_tokens"] > 0, answer
