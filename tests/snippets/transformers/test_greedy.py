import re

import pytest
import torch

from harness.site.pages import LANGS, SITE
from harness.suite.runner import SnippetError


def test_is_reproducible_and_silent(snippet, run):
    """Different seeds, same answer; and no warning about unused sampling flags (the runner
    fails on transformers' warning logs)."""
    outputs = [snippet.run(seed=seed).namespace["generated_ids"] for seed in (1, 2)]
    assert torch.equal(outputs[0], outputs[1])
    (call,) = run.record.generate_calls
    assert call["kwargs"].get("do_sample") is False


def test_without_clearing_warns_as_the_page_says(snippet):
    """The annotation quotes transformers 4.56's warning and says 5.23 is silent: check both."""
    import transformers

    unclear = {"    temperature=None,  # (2)!\n    top_p=None,\n    top_k=None,\n": ""}
    message = "The following generation flags are not valid and may be ignored: "
    quoted = message + "['temperature',"
    for lang in LANGS:
        page = SITE.page("chat", lang)
        text = " ".join(a for b in page.blocks for a in b.annotations)
        assert quoted in text.replace("`", ""), f"docs/chat ({lang}) no longer quotes the warning"
    if int(transformers.__version__.split(".")[0]) >= 5:
        snippet.run(unclear)  # silent: the runner fails on any transformers warning log
    else:
        with pytest.raises(SnippetError, match=re.escape(message + "['temperature', 'top_p'")):
            snippet.run(unclear)


def test_the_repetition_penalty_still_applies(run):
    """What annotation 1 says: greedy decoding still divides the positive logits (multiplies the
    negative ones) of tokens already in the text by the generation config's 1.05."""
    model, inputs = run.namespace["model"], run.namespace["model_inputs"]
    penalty = model.generation_config.repetition_penalty
    assert penalty == 1.05
    out = model.generate(
        **inputs,
        max_new_tokens=1,
        do_sample=False,
        temperature=None,
        top_p=None,
        top_k=None,
        output_scores=True,
        output_logits=True,
        return_dict_in_generate=True,
    )
    raw, scored = out.logits[0][0], out.scores[0][0]
    seen = inputs["input_ids"][0].unique()
    want = torch.where(raw[seen] > 0, raw[seen] / penalty, raw[seen] * penalty)
    assert torch.allclose(scored[seen], want)
    unseen = torch.ones_like(raw, dtype=torch.bool)
    unseen[seen] = False
    assert torch.equal(scored[unseen], raw[unseen])
