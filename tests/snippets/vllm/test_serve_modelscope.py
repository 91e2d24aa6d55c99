import os
import shlex
import subprocess


def test_vllm_reads_the_modelscope_switch(snippet, vllm_python, vllm_parse):
    """The variable the page sets is the one vLLM reads, and its value turns ModelScope on; the
    serve line after it is the plain one."""
    install, serve = snippet.source().strip().splitlines()
    assert shlex.split(install) == ["pip", "install", "modelscope"]
    assign, *command = shlex.split(serve)
    key, value = assign.split("=")
    vllm_parse(shlex.join(command))
    done = subprocess.run(
        [vllm_python, "-c", f"import vllm.envs as e; print(e.{key})"],
        capture_output=True,
        text=True,
        env={**os.environ, key: value},
        timeout=300,
    )
    assert done.stdout.strip() == "True", done.stdout + done.stderr
