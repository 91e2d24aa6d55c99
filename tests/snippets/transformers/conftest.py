"""What the transformers snippets' checks share: the quickstart's example, as a reader has it."""

from __future__ import annotations

import pytest

from harness.suite.runner import Run


@pytest.fixture
def base(runner) -> Run:
    """The namespace a reader has after running transformers/generate.py (run once)."""
    return runner.result("transformers/generate.py")


@pytest.fixture
def answer_of(base):
    """The decoded new tokens of a generate() result on the basic example's inputs."""

    def answer(ids) -> str:
        prompt_len = base.namespace["model_inputs"].input_ids.shape[1]
        return base.namespace["tokenizer"].decode(ids[0][prompt_len:], skip_special_tokens=True)

    return answer
