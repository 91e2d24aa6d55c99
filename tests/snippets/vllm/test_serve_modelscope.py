import shlex


def test_vllm_reads_the_modelscope_switch(snippet, served, vllm_cli):
    """The variable the page sets is the one vLLM reads, and its value turns ModelScope on; the
    serve line after it is the plain one."""
    install, _ = snippet.source().strip().splitlines()
    assert shlex.split(install) == ["pip", "install", "modelscope"]
    assert vllm_cli["commands"][snippet.name]["envs"] == {"VLLM_USE_MODELSCOPE": True}
    assert served["model_tag"] == "Qwen/Qwen2-7B-Instruct"
