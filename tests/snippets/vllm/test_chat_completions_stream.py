import json


def test_streams_chunks(run, gpu):
    (exchange,) = run.record.exchanges
    events = exchange.events
    if gpu:  # the page says vLLM ends the stream so; transformers serve just closes it
        assert events[-1] == "[DONE]", events[-3:]
    chunks = [json.loads(e) for e in events if e != "[DONE]"]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    finish = [c["choices"][0].get("finish_reason") for c in chunks if c["choices"]]
    assert finish[-1] in {"stop", "length"} and not any(finish[:-1])
