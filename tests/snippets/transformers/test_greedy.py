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
