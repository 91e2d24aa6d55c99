import re

from harness.qwen2.facts import GENERATION_CONFIG
from harness.site import shell

# llama-cli's flags for the keys of generation_config.json.
FLAGS = {
    "--temp": "temperature",
    "--top-p": "top_p",
    "--top-k": "top_k",
    "--repeat-penalty": "repetition_penalty",
}


def test_answers_one_turn(snippet, workdir, converted, llama_env):
    """cli.sh, run in the checkout on what convert.sh made."""
    out = snippet.shell(cwd=workdir, timeout=120, env=llama_env).printed
    prompt = "> Give me a short introduction to large language models.\n"
    assert prompt in out, out[-1500:]
    answer = out.split(prompt, 1)[1].split("[ Prompt:")[0].strip()
    assert answer and "<|im_" not in answer, out[-1500:]


def test_passes_the_models_own_system_prompt_and_sampling(snippet, tokenizer):
    """What the command gives by hand is the model's own: the system prompt Qwen2's chat
    template adds when there is none, and generation_config.json's sampling."""
    argv = shell.argv(snippet.source())
    rendered = tokenizer.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False)
    default = re.match(r"<\|im_start\|>system\n(.*?)<\|im_end\|>", rendered, re.S)[1]
    assert argv[argv.index("-sys") + 1] == default
    for flag, key in FLAGS.items():
        assert float(argv[argv.index(flag) + 1]) == GENERATION_CONFIG[key], flag
