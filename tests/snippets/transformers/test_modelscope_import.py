"""The page: replace generate.py's first line with the ModelScope import.

ModelScope's classes download from modelscope.cn, which the tests cannot reach: its download
function is replaced by one that returns the local Hugging Face copy of the same repository.
Everything else (ModelScope's wrappers and what they pass to transformers) runs for real.
"""

import pytest

from harness.qwen2.facts import MODEL_ID


def test_replaces_the_first_line(snippet, monkeypatch, on_standin):
    if not on_standin:
        pytest.skip("stand-in only: with the real weights it would load 15 GB a second time")
    from huggingface_hub import snapshot_download as hf_snapshot

    requested = []

    def local_snapshot(repo_id, *args, **kwargs):
        requested.append(repo_id)
        return hf_snapshot(repo_id, local_files_only=True)

    monkeypatch.setattr("modelscope.snapshot_download", local_snapshot)
    run = snippet.run()
    ns = run.namespace
    assert requested and set(requested) == {MODEL_ID}
    assert ns["AutoModelForCausalLM"].__module__.startswith("modelscope")
    assert ns["model"].__class__.__name__ == "Qwen2ForCausalLM"
    assert ns["response"].strip()
    assert run.printed == ns["response"] + "\n"
