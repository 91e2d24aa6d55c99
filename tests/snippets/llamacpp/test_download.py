from harness.qwen2.facts import MODEL_ID
from harness.site.pages import SITE
from harness.suite import clis

GGUF = "qwen2-7b-instruct-q4_k_m.gguf"


def test_fetches_the_file_the_server_loads(snippet):
    name, params = clis.hf(snippet.source())
    assert name == "download"
    assert params["repo_id"] == f"{MODEL_ID}-GGUF"
    assert params["filenames"] == (GGUF,) and params["local_dir"] == "."
    assert f"-m {GGUF}" in SITE.snippet_text("llamacpp/serve.sh")
