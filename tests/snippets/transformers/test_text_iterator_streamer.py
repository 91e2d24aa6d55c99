import pytest
import torch

from harness.suite.runner import SnippetError


def test_matches_plain_generation(run, base, answer_of):
    assert not run.namespace["thread"].is_alive()
    streamed = run.namespace["generated_text"]
    assert streamed.strip()
    assert run.printed == streamed + "\n"
    torch.manual_seed(0)
    plain = base.namespace["model"].generate(**base.namespace["model_inputs"], max_new_tokens=512)
    assert streamed == answer_of(plain)


def test_gives_up_when_generation_dies(snippet):
    """The page's timeout: a generation thread that ends without a word (as one that raised does)
    makes the loop raise queue.Empty instead of waiting forever."""
    dead = {"timeout=60": "timeout=1", "target=model.generate": "target=lambda **kwargs: None"}
    with pytest.raises(SnippetError, match="raised Empty"):
        snippet.run(dead)
