import pytest

from harness.suite.runner import SnippetError


def test_pads_on_the_left(snippet, base):
    side = base.namespace["tokenizer"].padding_side
    run = snippet.run()
    # The runner undoes the snippet's change to the tokenizer that later snippets share.
    assert base.namespace["tokenizer"].padding_side == side != "left"
    ns = run.namespace
    assert ns["model_inputs"] is base.namespace["model_inputs"], "later snippets need it"
    mask = ns["batch_inputs"].attention_mask
    assert mask.shape[0] == 3 and (mask[:, -1] == 1).all(), "a prompt does not end at the right"
    assert (mask[:, 1:] >= mask[:, :-1]).all(), "padding is not on the left"
    assert (mask == 0).any(), "the prompts should differ in length"
    responses = ns["responses"]
    assert len(responses) == 3 and all(isinstance(r, str) for r in responses)
    assert all(f"{p}\n{r}\n" in run.printed for p, r in zip(ns["prompts"], responses, strict=True))


def test_right_padding_is_caught(snippet):
    """The page's reason for left padding: the prompts would not end with the generation prompt
    (the invariant), and transformers warns about right padding."""
    with pytest.raises(SnippetError, match="(?s)right-padding.*generation prompt"):
        snippet.run({'"left"': '"right"'})
