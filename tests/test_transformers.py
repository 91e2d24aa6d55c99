"""The transformers snippets of the quickstart and chat pages, run as a reader runs them.

Both pages start with transformers/generate.py; every later snippet continues from its names
(model, tokenizer, model_inputs), so the session runs it once and the later snippets run on a
copy of its namespace, which is what a reader has after pasting the first block.
"""

from __future__ import annotations

import importlib.metadata
import shlex
import subprocess
import sys

import pytest
import torch

import runner
from docsite import SNIPPETS

SEED = 0
pytestmark = pytest.mark.timeout(300)


def expected_output(name: str) -> str:
    return runner.source(f"outputs/{name}")


def check_output(name: str, printed: str, update: bool) -> None:
    """What a snippet prints must be exactly the output shown on the page."""
    if update:
        (SNIPPETS / "outputs" / name).write_text(printed, encoding="utf-8")
        return
    assert printed == expected_output(name), (
        f"snippets/outputs/{name} differs from what the snippet prints; "
        "rerun with --update-outputs if the change is intended"
    )


def new_text(ns: dict, ids) -> str:
    prompt_len = ns["model_inputs"].input_ids.shape[1]
    return ns["tokenizer"].decode(ids[0][prompt_len:], skip_special_tokens=True)


@pytest.fixture(scope="session")
def chat(gpu):
    """The namespace a reader has after running transformers/generate.py, and what it printed."""
    import contextlib
    import io

    torch.manual_seed(SEED)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ns = runner.run("transformers/generate.py", {"__name__": "__main__"})
    ns["__printed__"] = out.getvalue()
    return ns


@pytest.mark.snippet("transformers/generate.py")
def test_generate_answers_with_new_text_only(chat, gpu):
    model, tokenizer, response = chat["model"], chat["tokenizer"], chat["response"]
    assert model.__class__.__name__ == "Qwen2ForCausalLM"
    assert model.dtype == torch.bfloat16, "the page says dtype='auto' loads bfloat16"
    assert model.device.type == ("cuda" if gpu else "cpu")
    inputs = chat["model_inputs"]
    assert set(inputs) == {"input_ids", "attention_mask"}
    assert inputs.input_ids.device == model.device
    assert isinstance(response, str) and response.strip(), "the decoded answer is empty"
    assert "<|im_start|>" not in response and "<|im_end|>" not in response
    assert chat["prompt"] not in response, "the answer still contains the prompt"
    assert chat["__printed__"] == response + "\n"
    # The trimmed ids are the answer only, and never longer than max_new_tokens.
    (answer_ids,) = chat["generated_ids"]
    assert 0 < len(answer_ids) <= 512
    assert tokenizer.decode(answer_ids, skip_special_tokens=True) == response


@pytest.mark.snippet("transformers/generate.py")
def test_generate_uses_the_models_generation_config(chat):
    config = chat["model"].generation_config
    assert config.eos_token_id == [151645, 151643]
    assert (config.do_sample, config.temperature, config.top_p, config.top_k) == (
        True,
        0.7,
        0.8,
        20,
    )
    assert config.repetition_penalty == 1.05
    assert chat["tokenizer"].eos_token == "<|im_end|>"


@pytest.mark.snippet("transformers/print_prompt.py")
def test_chat_template_output(chat, capsys, update_outputs):
    runner.run("transformers/print_prompt.py", dict(chat))
    check_output("chatml_prompt.txt", capsys.readouterr().out, update_outputs)


@pytest.mark.snippet("transformers/default_system_prompt.py")
def test_default_system_prompt(chat, capsys, update_outputs):
    ns = runner.run("transformers/default_system_prompt.py", dict(chat))
    assert ns["messages"][0]["role"] == "user", (
        "the snippet must show a conversation without system"
    )
    check_output("chatml_prompt.txt", capsys.readouterr().out, update_outputs)


@pytest.mark.snippet("transformers/text_streamer.py")
def test_text_streamer_prints_what_generate_returns(chat, capsys):
    torch.manual_seed(SEED)
    ns = runner.run("transformers/text_streamer.py", dict(chat))
    printed = capsys.readouterr().out
    answer = new_text(ns, ns["generated_ids"])
    assert answer.strip(), "streamed an empty answer"
    assert printed == answer + "\n"


@pytest.mark.snippet("transformers/text_iterator_streamer.py")
def test_text_iterator_streamer_matches_plain_generation(chat, capsys):
    torch.manual_seed(SEED)
    ns = runner.run("transformers/text_iterator_streamer.py", dict(chat))
    printed = capsys.readouterr().out
    assert not ns["thread"].is_alive()
    streamed = ns["generated_text"]
    assert streamed.strip()
    assert printed == streamed + "\n"
    torch.manual_seed(SEED)
    plain = chat["model"].generate(**chat["model_inputs"], max_new_tokens=512)
    assert streamed == new_text(chat, plain)


@pytest.mark.snippet("transformers/modelscope_import.py", "transformers/generate.py")
def test_modelscope_import_replaces_the_first_line(monkeypatch, capsys, gpu):
    """The page: replace generate.py's first line with the ModelScope import.

    ModelScope's classes download from modelscope.cn, which the tests cannot reach: its download
    function is replaced by one that returns the local Hugging Face copy of the same repository.
    Everything else (ModelScope's wrappers and what they pass to transformers) runs for real.
    """
    if gpu:
        pytest.skip("cpu tier only: on GPU it would load the 15 GB model a second time")
    from huggingface_hub import snapshot_download as hf_snapshot

    requested = []

    def local_snapshot(repo_id, *args, **kwargs):
        requested.append(repo_id)
        return hf_snapshot(repo_id, local_files_only=True)

    monkeypatch.setattr("modelscope.snapshot_download", local_snapshot)
    first_line = "from transformers import AutoModelForCausalLM, AutoTokenizer"
    swapped = runner.source("transformers/modelscope_import.py").strip()
    torch.manual_seed(SEED)
    ns = runner.run("transformers/generate.py", {}, replace={first_line: swapped})
    assert requested and set(requested) == {"Qwen/Qwen2-7B-Instruct"}
    assert ns["AutoModelForCausalLM"].__module__.startswith("modelscope")
    assert ns["model"].__class__.__name__ == "Qwen2ForCausalLM"
    assert ns["response"].strip()
    assert capsys.readouterr().out == ns["response"] + "\n"


@pytest.mark.snippet("transformers/flash_attention.py")
def test_flash_attention_needs_flash_attn_on_cpu(gpu):
    """Without a GPU the snippet must fail the way the page says: flash-attn is required."""
    if gpu:
        pytest.skip("the gpu tier runs the snippet for real (test_flash_attention_on_gpu)")
    with pytest.raises(AssertionError) as failure:
        runner.run("transformers/flash_attention.py", {})
    cause = failure.value.__cause__
    assert isinstance(cause, ImportError), repr(cause)
    assert "FlashAttention2" in str(cause) and "installed" in str(cause), str(cause)


@pytest.mark.gpu
@pytest.mark.snippet("transformers/flash_attention.py")
def test_flash_attention_on_gpu(chat):
    ns = runner.run("transformers/flash_attention.py", {})
    model = ns["model"]
    assert model.config._attn_implementation == "flash_attention_2"
    assert model.dtype == torch.bfloat16
    inputs = chat["model_inputs"]
    out = model.generate(**inputs, max_new_tokens=32)
    assert chat["tokenizer"].decode(out[0][inputs.input_ids.shape[1] :]).strip()


def pip_args(snippet: str) -> list[str]:
    (line,) = [ln for ln in runner.source(snippet).splitlines() if ln.strip()]
    argv = shlex.split(line)
    assert argv[:2] == ["pip", "install"], f"{runner.where(snippet)}: not a pip install line"
    return argv[2:]


@pytest.mark.parametrize(
    "snippet", ["transformers/install.sh", "transformers/modelscope_install.sh"]
)
def test_install_command_is_satisfied_by_the_tested_environment(snippet):
    """The page's pip command, resolved offline against the environment the tests ran in."""
    cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", *pip_args(snippet)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{runner.where(snippet)}:\n{done.stdout}\n{done.stderr}"
    assert "Would install" not in done.stdout, done.stdout


@pytest.mark.gpu
@pytest.mark.snippet("transformers/flash_attention_install.sh")
def test_flash_attn_is_installed_on_gpu():
    assert pip_args("transformers/flash_attention_install.sh")[0] == "flash-attn"
    importlib.metadata.version("flash-attn")


@pytest.mark.snippet("transformers/multi_turn.py")
def test_multi_turn_keeps_the_history(chat, capsys):
    torch.manual_seed(SEED)
    ns = runner.run("transformers/multi_turn.py", dict(chat))
    history = ns["history"]
    assert [m["role"] for m in history] == ["system", "user", "assistant", "user", "assistant"]
    replies = [history[2]["content"], history[4]["content"]]
    assert all(isinstance(r, str) and r.strip() for r in replies)
    assert capsys.readouterr().out == f"{replies[0]}\n{replies[1]}\n"
    # The second turn's prompt carried the first answer.
    prompt = chat["tokenizer"].apply_chat_template(history[:4], tokenize=False)
    assert f"<|im_start|>assistant\n{replies[0]}<|im_end|>" in prompt


@pytest.mark.snippet("transformers/multi_turn_prompt.py")
def test_multi_turn_prompt_output(chat, capsys, update_outputs):
    runner.run("transformers/multi_turn_prompt.py", dict(chat))
    check_output("multi_turn_prompt.txt", capsys.readouterr().out, update_outputs)


@pytest.fixture
def restore_padding_side(chat):
    side = chat["tokenizer"].padding_side
    yield
    chat["tokenizer"].padding_side = side


@pytest.mark.snippet("transformers/batch.py")
def test_batch_pads_on_the_left(chat, capsys, restore_padding_side):
    torch.manual_seed(SEED)
    ns = runner.run("transformers/batch.py", dict(chat))
    assert ns["model_inputs"] is chat["model_inputs"], "later snippets still need model_inputs"
    mask = ns["batch_inputs"].attention_mask
    assert mask.shape[0] == 3 and (mask[:, -1] == 1).all(), "a prompt does not end at the right"
    assert (mask[:, 1:] >= mask[:, :-1]).all(), "padding is not on the left"
    assert (mask == 0).any(), "the prompts should differ in length"
    responses = ns["responses"]
    assert len(responses) == 3 and all(isinstance(r, str) for r in responses)
    printed = capsys.readouterr().out
    assert all(f"{p}\n{r}\n" in printed for p, r in zip(ns["prompts"], responses, strict=True))


@pytest.mark.snippet("transformers/batch.py")
def test_batch_with_right_padding_is_flagged(chat, restore_padding_side):
    """The page's reason for left padding: transformers warns about right padding."""
    with pytest.raises(pytest.fail.Exception, match="right-padding"):
        runner.run("transformers/batch.py", dict(chat), {'"left"': '"right"'})


@pytest.mark.snippet("transformers/sampling_defaults.py")
def test_sampling_defaults_output(chat, capsys, update_outputs):
    runner.run("transformers/sampling_defaults.py", dict(chat))
    check_output("sampling_defaults.txt", capsys.readouterr().out, update_outputs)


@pytest.mark.snippet("transformers/sampling_override.py")
def test_sampling_override(chat):
    torch.manual_seed(SEED)
    ns = runner.run("transformers/sampling_override.py", dict(chat))
    assert new_text(ns, ns["generated_ids"]).strip()


@pytest.mark.snippet("transformers/greedy.py")
def test_greedy_decoding_is_reproducible(chat):
    outputs = []
    for seed in (1, 2):
        torch.manual_seed(seed)
        ns = runner.run("transformers/greedy.py", dict(chat))
        outputs.append(ns["generated_ids"])
    assert torch.equal(outputs[0], outputs[1])


@pytest.mark.snippet("transformers/async_streamer.py")
def test_async_streamer_matches_plain_generation(chat, capsys):
    torch.manual_seed(SEED)
    runner.run("transformers/async_streamer.py", dict(chat))
    printed = capsys.readouterr().out
    torch.manual_seed(SEED)
    plain = chat["model"].generate(**chat["model_inputs"], max_new_tokens=512)
    assert printed.strip() and printed == new_text(chat, plain) + "\n"


@pytest.mark.snippet("transformers/load_before_4_56.py")
def test_older_torch_dtype_form_still_loads_bfloat16(gpu):
    """The form the page offers for transformers < 4.56 (deprecated from 4.56, so it may warn)."""
    if gpu:
        pytest.skip("cpu tier only: on GPU it would load the 15 GB model a second time")
    ns = runner.run("transformers/load_before_4_56.py", {}, deprecated_ok=True)
    assert ns["model"].dtype == torch.bfloat16
