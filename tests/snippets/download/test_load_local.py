import shlex

from harness.qwen2 import standin


def test_model_loads_from_the_downloaded_folder(snippet, monkeypatch, tmp_path):
    folder = shlex.split(snippet.source().split("=", 1)[1], comments=True)[0]
    assert folder == "./Qwen2-7B-Instruct"
    standin.download_to(tmp_path / "Qwen2-7B-Instruct")
    monkeypatch.chdir(tmp_path)
    run = snippet.run()
    assert run.namespace["model"].name_or_path == folder
    assert run.namespace["response"] is not None
