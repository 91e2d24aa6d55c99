import pytest

from harness.qwen2.facts import MODEL_ID


@pytest.mark.gpu  # on the cpu tier the chat server is `transformers serve`
def test_lists_the_model(chat_server):
    """The gpu tier's chat server is this very command (harness/suite/fixtures.py)."""
    models = chat_server.answer("/v1/models")
    assert [m["id"] for m in models["data"]] == [MODEL_ID]
