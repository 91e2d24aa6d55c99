import re

from harness.qwen2.facts import GENERATION_CONFIG
from harness.site import shell


def generated(out: str) -> tuple[str, int]:
    """mlx_lm.generate's answer (between its ===== lines) and its count of prompt tokens. (The
    stand-in never ends an answer before its first token: harness/qwen2/standin.py.)"""
    parts = out.split("==========")
    assert len(parts) >= 3, out[-2000:]
    prompt_tokens = re.search(r"Prompt: (\d+) tokens", out)
    assert prompt_tokens, out[-2000:]
    return parts[1].strip(), int(prompt_tokens[1])


def test_chats_with_the_models_sampling(snippet, mlx_runs, tokenizer):
    """Run verbatim (the official id resolves to the converted stand-in), then with the folder
    the convert command wrote, as the page says (with one new token). The prompt is
    ChatML with the default system prompt and the generation prompt: its token count is the chat
    template's."""
    argv = shell.argv(snippet.source())
    prompt = argv[argv.index("--prompt") + 1]
    chatml = tokenizer.apply_chat_template(
        [{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True
    )
    assert chatml.startswith("<|im_start|>system\nYou are a helpful assistant.<|im_end|>")
    expected_tokens = len(tokenizer(chatml).input_ids)
    for replace, run in mlx_runs.generate:
        answer, prompt_tokens = generated(run.printed)
        assert prompt_tokens == expected_tokens, (replace, prompt_tokens, expected_tokens)
        assert "<|im_" not in answer and "<|endoftext|>" not in answer, answer
    # The sampling flags are the model's own generation_config.json (mlx_lm's defaults: greedy).
    flags = {k: float(argv[argv.index(k) + 1]) for k in ("--temp", "--top-p", "--top-k")}
    wanted = {
        "--temp": GENERATION_CONFIG["temperature"],
        "--top-p": GENERATION_CONFIG["top_p"],
        "--top-k": GENERATION_CONFIG["top_k"],
    }
    assert flags == wanted, (flags, wanted)


def test_stops_at_im_end_without_a_generation_config(mlx_runs, mlx_bin, tmp_path):
    """What the page says of an upload without generation_config.json: mlx_lm still stops at
    <|im_end|> (the tokenizer's end token) and <|endoftext|> (config.json's)."""
    import shutil
    import subprocess

    from harness.qwen2.facts import SPECIAL_TOKEN_IDS

    folder = tmp_path / "without"
    shutil.copytree(mlx_runs.folder, folder)
    (folder / "generation_config.json").unlink()
    code = f"from mlx_lm.utils import load; print(sorted(load({str(folder)!r})[1].eos_token_ids))"
    done = subprocess.run(
        [str(mlx_bin / "python"), "-c", code], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    ends = [SPECIAL_TOKEN_IDS["<|endoftext|>"], SPECIAL_TOKEN_IDS["<|im_end|>"]]
    assert done.stdout.split("\n")[-2] == str(ends), done.stdout


def test_has_no_repetition_penalty_flag(mlx_bin):
    """What the page says: Qwen's repetition penalty has no flag in mlx_lm.generate."""
    import subprocess

    done = subprocess.run(
        [str(mlx_bin / "mlx_lm.generate"), "--help"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0 and "--top-k" in done.stdout, done.stderr[-2000:]
    assert "repetition" not in done.stdout
