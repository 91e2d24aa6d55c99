"""The transformers snippets of the quickstart and chat pages, run as a reader runs them.

Each test names its snippet once, in its marker; the ``snippet`` fixture runs it after what it
continues (snippets/snippets.toml), and the runner checks every call against the invariants of a
correct chat call. The tests here check what is particular to each snippet.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys

import pytest
import torch

from harness.model.facts import GENERATION_CONFIG
from harness.model.site import SITE
from harness.suite.runner import SnippetError

pytestmark = pytest.mark.timeout(300)
PROMPT = "Give me a short introduction to large language models."


def answer_of(base, ids) -> str:
    """The decoded new tokens of a generate() result on the basic example's inputs."""
    prompt_len = base.namespace["model_inputs"].input_ids.shape[1]
    return base.namespace["tokenizer"].decode(ids[0][prompt_len:], skip_special_tokens=True)


@pytest.fixture
def base(runner):
    """The namespace a reader has after running transformers/generate.py (run once)."""
    return runner.base("transformers/generate.py")


@pytest.mark.snippet("transformers/generate.py")
def test_generate_answers_with_new_text_only(snippet, gpu):
    run = snippet.base()
    ns = run.namespace
    model, tokenizer, response = ns["model"], ns["tokenizer"], ns["response"]
    assert model.__class__.__name__ == "Qwen2ForCausalLM"
    assert model.dtype == torch.bfloat16, "the page says dtype='auto' loads bfloat16"
    assert model.device.type == ("cuda" if gpu else "cpu")
    inputs = ns["model_inputs"]
    assert set(inputs) == {"input_ids", "attention_mask"}
    assert inputs.input_ids.device == model.device
    assert isinstance(response, str) and response.strip(), "the decoded answer is empty"
    assert ns["prompt"] not in response, "the answer still contains the prompt"
    assert run.printed == response + "\n"
    (answer_ids,) = ns["generated_ids"]
    assert 0 < len(answer_ids) <= 512, "more new tokens than max_new_tokens"
    assert tokenizer.decode(answer_ids, skip_special_tokens=True) == response
    # The invariants saw the call: one generate call, its prompt ending in the generation prompt.
    assert len(run.record.generate_calls) == 1


@pytest.mark.snippet("transformers/generate.py")
def test_generate_uses_the_models_generation_config(snippet):
    """The model the snippet loads carries every value of the model's generation_config.json
    (the sampling the pages describe): transformers reads the file from the model's repository
    (the stand-in's copy of it on the cpu tier; the real one on the gpu tier)."""
    ns = snippet.base().namespace
    config = ns["model"].generation_config.to_diff_dict()
    assert config | GENERATION_CONFIG == config, config
    assert ns["tokenizer"].eos_token == "<|im_end|>"


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.snippet(n)) for n, e in SITE.manifest.items() if e.output],
)
def test_prints_the_output_shown_on_the_page(name, snippet):
    """Every snippet that declares an output (snippets.toml) prints exactly that."""
    snippet.check_output(snippet.run().printed)


@pytest.mark.snippet("transformers/default_system_prompt.py")
def test_default_system_prompt_omits_the_system_turn(snippet):
    assert snippet.run().namespace["messages"][0]["role"] == "user"


@pytest.mark.snippet("transformers/text_streamer.py")
def test_text_streamer_prints_what_generate_returns(snippet, base):
    run = snippet.run()
    answer = answer_of(base, run.namespace["generated_ids"])
    assert answer.strip(), "streamed an empty answer"
    assert run.printed == answer + "\n"


@pytest.mark.snippet("transformers/text_iterator_streamer.py")
def test_text_iterator_streamer_matches_plain_generation(snippet, base):
    run = snippet.run()
    assert not run.namespace["thread"].is_alive()
    streamed = run.namespace["generated_text"]
    assert streamed.strip()
    assert run.printed == streamed + "\n"
    torch.manual_seed(0)
    plain = base.namespace["model"].generate(**base.namespace["model_inputs"], max_new_tokens=512)
    assert streamed == answer_of(base, plain)


@pytest.mark.snippet("transformers/text_iterator_streamer.py")
def test_text_iterator_streamer_gives_up_when_generation_dies(snippet):
    """The page's timeout: a generation thread that ends without a word (as one that raised does)
    makes the loop raise queue.Empty instead of waiting forever."""
    dead = {"timeout=60": "timeout=1", "target=model.generate": "target=lambda **kwargs: None"}
    with pytest.raises(SnippetError, match="raised Empty"):
        snippet.run(dead)


@pytest.mark.snippet("transformers/async_streamer.py")
def test_async_streamer_matches_plain_generation(snippet, base):
    run = snippet.run()
    torch.manual_seed(0)
    plain = base.namespace["model"].generate(**base.namespace["model_inputs"], max_new_tokens=512)
    assert run.printed.strip() and run.printed == answer_of(base, plain) + "\n"


@pytest.mark.snippet("transformers/modelscope_import.py")
def test_modelscope_import_replaces_the_first_line(snippet, monkeypatch, on_standin):
    """The page: replace generate.py's first line with the ModelScope import.

    ModelScope's classes download from modelscope.cn, which the tests cannot reach: its download
    function is replaced by one that returns the local Hugging Face copy of the same repository.
    Everything else (ModelScope's wrappers and what they pass to transformers) runs for real.
    """
    if not on_standin:
        pytest.skip("stand-in only: with the real weights it would load 15 GB a second time")
    from huggingface_hub import snapshot_download as hf_snapshot

    requested = []

    def local_snapshot(repo_id, *args, **kwargs):
        requested.append(repo_id)
        return hf_snapshot(repo_id, local_files_only=True)

    monkeypatch.setattr("modelscope.snapshot_download", local_snapshot)
    run = snippet.run()
    ns = run.namespace
    assert requested and set(requested) == {"Qwen/Qwen2-7B-Instruct"}
    assert ns["AutoModelForCausalLM"].__module__.startswith("modelscope")
    assert ns["model"].__class__.__name__ == "Qwen2ForCausalLM"
    assert ns["response"].strip()
    assert run.printed == ns["response"] + "\n"


@pytest.mark.gpu
@pytest.mark.snippet("transformers/flash_attention.py")
def test_flash_attention_on_gpu(snippet, base):
    if importlib.util.find_spec("flash_attn") is None:
        pytest.skip(
            "flash-attn is not installed: run snippets/transformers/flash_attention_install.sh"
        )
    model = snippet.run().namespace["model"]
    assert model.config._attn_implementation == "flash_attention_2"
    assert model.dtype == torch.bfloat16
    inputs = base.namespace["model_inputs"]
    out = model.generate(**inputs, max_new_tokens=32)
    assert base.namespace["tokenizer"].decode(out[0][inputs.input_ids.shape[1] :]).strip()


@pytest.mark.snippet("transformers/load_before_4_56.py")
def test_older_torch_dtype_form_still_loads_bfloat16(snippet, on_standin):
    """The form the page offers for transformers < 4.56 (deprecated from 4.56, so it may warn)."""
    if not on_standin:
        pytest.skip("stand-in only: with the real weights it would load 15 GB a second time")
    assert snippet.run().namespace["model"].dtype == torch.bfloat16


@pytest.mark.snippet("transformers/load_float16.py")
def test_float16_load_generates(snippet, base, on_standin):
    """The troubleshooting page's load for GPUs without bfloat16: float16 weights that still
    generate with the tokenizer and inputs of the first example."""
    if not on_standin:
        pytest.skip("stand-in only: with the real weights it would load 15 GB a second time")
    model = snippet.run().namespace["model"]
    assert model.dtype == torch.float16
    inputs = base.namespace["model_inputs"]
    out = model.generate(**inputs, max_new_tokens=8)
    assert out.shape[1] > inputs.input_ids.shape[1]


@pytest.mark.snippet("transformers/multi_turn.py")
def test_multi_turn_keeps_the_history(snippet, base):
    run = snippet.run()
    history = run.namespace["history"]
    assert [m["role"] for m in history] == ["system", "user", "assistant", "user", "assistant"]
    replies = [history[2]["content"], history[4]["content"]]
    assert all(isinstance(r, str) and r.strip() for r in replies)
    assert run.printed == f"{replies[0]}\n{replies[1]}\n"
    # The second turn's prompt carried the first answer: three messages, then the new question.
    second = run.record.generate_calls[1]["input_ids"][0].tolist()
    tokenizer = base.namespace["tokenizer"]
    assert tokenizer.decode(second).count("<|im_start|>") == 5
    assert f"<|im_start|>assistant\n{replies[0]}<|im_end|>" in tokenizer.decode(second)


@pytest.mark.snippet("transformers/batch.py")
def test_batch_pads_on_the_left(snippet, base):
    side = base.namespace["tokenizer"].padding_side
    run = snippet.run()
    # The runner undoes the snippet's change to the tokenizer that later snippets share.
    assert base.namespace["tokenizer"].padding_side == side != "left"
    ns = run.namespace
    assert ns["model_inputs"] is base.namespace["model_inputs"], "later snippets need it"
    mask = ns["batch_inputs"].attention_mask
    assert mask.shape[0] == 3 and (mask[:, -1] == 1).all(), "a prompt does not end at the right"
    assert (mask[:, 1:] >= mask[:, :-1]).all(), "padding is not on the left"
    assert (mask == 0).any(), "the prompts should differ in length"
    responses = ns["responses"]
    assert len(responses) == 3 and all(isinstance(r, str) for r in responses)
    assert all(f"{p}\n{r}\n" in run.printed for p, r in zip(ns["prompts"], responses, strict=True))


@pytest.mark.snippet("transformers/batch.py")
def test_batch_with_right_padding_is_caught(snippet, base):
    """The page's reason for left padding: the prompts would not end with the generation prompt
    (the invariant), and transformers warns about right padding."""
    with pytest.raises(SnippetError, match="(?s)right-padding.*generation prompt"):
        snippet.run({'"left"': '"right"'})


@pytest.mark.snippet("transformers/sampling_override.py")
def test_sampling_override_reaches_generate(snippet):
    run = snippet.run()
    (call,) = run.record.generate_calls
    assert (call["kwargs"].get("temperature"), call["kwargs"].get("top_p")) == (0.3, 0.9)
    assert (
        run.namespace["generated_ids"].shape[1] > run.namespace["model_inputs"].input_ids.shape[1]
    )


@pytest.mark.snippet("transformers/greedy.py")
def test_greedy_decoding_is_reproducible_and_silent(snippet):
    """Different seeds, same answer; and no warning about unused sampling flags (the runner
    fails on transformers' warning logs)."""
    outputs = [snippet.run(seed=seed).namespace["generated_ids"] for seed in (1, 2)]
    assert torch.equal(outputs[0], outputs[1])
    (call,) = snippet.run().record.generate_calls
    assert call["kwargs"].get("do_sample") is False


def pip_args(snippet) -> list[str]:
    (line,) = [ln for ln in snippet.source().splitlines() if ln.strip()]
    argv = shlex.split(line)
    assert argv[:2] == ["pip", "install"], f"{snippet.where()}: not a pip install line"
    return argv[2:]


def dry_run(snippet) -> None:
    """The page's own pip command, resolved offline against the environment the tests ran in:
    every requirement it names is satisfied, nothing would be installed. pip runs without the
    machine's configuration (a global constraints file or find-links would decide the verdict
    instead of the environment: a constraint pinning torch made it "install" another torch)."""
    cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", *pip_args(snippet)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env |= {"PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, f"{snippet.where()}:\n{done.stdout}\n{done.stderr}"
    assert "Would install" not in done.stdout, done.stdout


@pytest.mark.snippet("transformers/install.sh")
def test_install_command_is_satisfied_by_the_tested_environment(snippet):
    dry_run(snippet)


@pytest.mark.snippet("transformers/modelscope_install.sh")
def test_modelscope_install_command_is_satisfied(snippet):
    dry_run(snippet)


@pytest.mark.snippet("quantized/bitsandbytes_install.sh")
def test_bitsandbytes_install_command_is_satisfied(snippet):
    dry_run(snippet)


def linear_layers(model) -> dict[str, int]:
    """How many linear layers of each class the model has (bitsandbytes swaps in its own)."""
    counts: dict[str, int] = {}
    for module in model.modules():
        if isinstance(module, torch.nn.Linear):
            counts[type(module).__name__] = counts.get(type(module).__name__, 0) + 1
    return counts


@pytest.mark.snippet("quantized/load_4bit.py")
def test_4bit_model_is_quantized_and_answers(snippet):
    """Every linear layer but the output layer is a bitsandbytes 4-bit layer (NF4, computing in
    bfloat16); the rest stays in bfloat16; the answer is printed, then the weights' size."""
    run = snippet.run()
    model = run.namespace["model"]
    layers = linear_layers(model)
    assert set(layers) == {"Linear4bit", "Linear"} and layers["Linear"] == 1, layers
    assert type(model.lm_head).__name__ == "Linear" and model.lm_head.weight.dtype == torch.bfloat16
    first = next(m for m in model.modules() if type(m).__name__ == "Linear4bit")
    assert first.weight.quant_type == "nf4" and first.compute_dtype == torch.bfloat16
    assert model.model.embed_tokens.weight.dtype == torch.bfloat16
    answer, size = run.printed.rstrip("\n").rsplit("\n", 1)
    assert answer.strip() and re.fullmatch(r"weights: \d+\.\d\d GB", size), run.printed


@pytest.mark.snippet("quantized/config_8bit.py")
def test_8bit_line_replaces_the_4bit_configuration(snippet):
    """Put in place of the 4-bit configuration, the one line loads the model in 8 bits."""
    model = snippet.run().namespace["model"]
    layers = linear_layers(model)
    assert set(layers) == {"Linear8bitLt", "Linear"} and layers["Linear"] == 1, layers


@pytest.mark.snippet("transformers/flash_attention_install.sh")
def test_flash_attn_install_command_runs(snippet):
    """`nox -s gpu` installs flash-attn by running this very snippet; here it runs again (already
    satisfied) with the same arguments."""
    cmd = [sys.executable, "-m", *shlex.split(snippet.source())]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, f"{snippet.where()}:\n{done.stdout}\n{done.stderr}"


@pytest.mark.snippet("transformers/greedy.py")
def test_greedy_without_clearing_warns_as_the_page_says(snippet, runner):
    """The annotation quotes transformers 4.56's warning and says 5.23 is silent: check both."""
    import transformers

    unclear = {"    temperature=None,  # (2)!\n    top_p=None,\n    top_k=None,\n": ""}
    message = "The following generation flags are not valid and may be ignored: "
    quoted = message + "['temperature',"
    for lang in ("en", "zh"):
        page = runner.site.page("chat", lang)
        text = " ".join(a for b in page.blocks for a in b.annotations)
        assert quoted in text.replace("`", ""), f"docs/chat ({lang}) no longer quotes the warning"
    if int(transformers.__version__.split(".")[0]) >= 5:
        snippet.run(unclear)  # silent: the runner fails on any transformers warning log
    else:
        with pytest.raises(SnippetError, match=re.escape(message + "['temperature', 'top_p'")):
            snippet.run(unclear)
