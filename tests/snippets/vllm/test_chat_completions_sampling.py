import json


def test_temperature_zero_is_greedy(snippet, run):
    replies = [json.loads(r.printed) for r in (run, snippet.shell())]
    contents = [r["choices"][0]["message"]["content"] for r in replies]
    assert contents[0].strip() and contents[0] == contents[1]
    assert replies[0]["usage"]["completion_tokens"] <= 256
