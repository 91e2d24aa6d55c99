import shlex
import subprocess


def test_runs(snippet, vllm_python):
    """`nox -s gpu` creates vLLM's environment by running this very snippet; here it runs again
    there (already satisfied)."""
    argv = shlex.split(snippet.source())
    done = subprocess.run([vllm_python, "-m", *argv], capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout + done.stderr
