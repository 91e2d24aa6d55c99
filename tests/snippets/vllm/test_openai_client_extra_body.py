"""`extra_body` puts top_k and repetition_penalty at the top level of the request, with values
other than the model's defaults. vLLM answers it; `transformers serve` (the cpu tier's server)
refuses fields it does not know (the manifest's `raises`), so there this checks the refused
request."""

import openai
import pytest

from harness.qwen2.facts import GENERATION_CONFIG
from harness.suite.runner import SnippetError


def test_vllm_only_parameters_reach_the_server(snippet, gpu):
    if gpu:
        run = snippet.run()
        request = run.record.exchanges[0].request
        answer = run.namespace["chat_response"].choices[0].message.content
        assert answer.strip() and run.printed == answer + "\n"
    else:
        with pytest.raises(SnippetError) as failure:
            snippet.run()
        refused = failure.value.__cause__
        assert isinstance(refused, openai.UnprocessableEntityError), repr(refused)
        why = str(refused.body)  # {"detail": "Unexpected fields in the request: {...}"}
        assert "top_k" in why and "repetition_penalty" in why, why
        request = failure.value.record.exchanges[0].request
    assert (request["top_k"], request["repetition_penalty"]) == (10, 1.1)
    assert request["top_k"] != GENERATION_CONFIG["top_k"]
    assert request["repetition_penalty"] != GENERATION_CONFIG["repetition_penalty"]
    assert "extra_body" not in request
