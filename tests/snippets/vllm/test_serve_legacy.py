import shlex
import subprocess


def test_legacy_entry_point_still_exists(snippet, vllm_python):
    argv = shlex.split(snippet.source())
    assert argv[0] == "python"
    done = subprocess.run([vllm_python, *argv[1:], "--help"], capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()
