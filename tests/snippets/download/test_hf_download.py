from harness.qwen2.facts import MODEL_ID
from harness.suite import clis


def test_command_parses(snippet):
    """hf's own parser (no network here)."""
    name, params = clis.hf(snippet.source())
    assert (name, params["repo_id"], params["local_dir"]) == (
        "download",
        MODEL_ID,
        "Qwen2-7B-Instruct",
    )
    assert params["filenames"] == ()  # the whole repository
