import json

from harness.qwen2.facts import MODEL_ID


def test_answers_one_chat_completion(run):
    reply = json.loads(run.printed)
    assert reply["object"] == "chat.completion"
    assert reply["model"].startswith(MODEL_ID)
    (choice,) = reply["choices"]
    assert choice["message"]["role"] == "assistant"
    assert choice["finish_reason"] in {"stop", "length"}
    assert reply["usage"]["prompt_tokens"] > 0 and reply["usage"]["completion_tokens"] > 0
