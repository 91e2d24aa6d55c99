def test_keeps_the_history(run, base):
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
