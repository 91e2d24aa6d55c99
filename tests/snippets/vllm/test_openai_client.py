def test_prints_the_answer(run):
    message = run.namespace["chat_response"].choices[0].message
    assert message.role == "assistant" and message.content.strip()
    assert run.printed == f"Chat response: {message.content}\n"
