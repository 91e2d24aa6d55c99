from harness.site.pages import SITE
from harness.suite import clis

GGUF = "qwen2-7b-instruct-q4_k_m.gguf"


def test_fetches_the_file_the_server_loads(snippet):
    name, params = clis.hf(snippet.source())
    assert name == "download"
    assert params["repo_id"] == "Qwen/Qwen2-7B-Instruct-GGUF"
    assert params["filenames"] == (GGUF,) and params["local_dir"] == "."
    assert f"-m {GGUF}" in SITE.snippet_text("llamacpp/serve.sh")
