def test_answers_one_turn(snippet, workdir, converted, llama_env):
    """cli.sh, run in the checkout on what convert.sh made."""
    out = snippet.shell(cwd=workdir, timeout=120, env=llama_env).printed
    prompt = "> Give me a short introduction to large language models.\n"
    assert prompt in out, out[-1500:]
    answer = out.split(prompt, 1)[1].split("[ Prompt:")[0].strip()
    assert answer and "<|im_" not in answer, out[-1500:]
