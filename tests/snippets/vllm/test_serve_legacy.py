import shlex
import subprocess

import pytest


def test_legacy_module_still_exists(snippet, vllm_cli):
    argv = shlex.split(snippet.source())
    assert argv[:2] == ["python", "-m"]
    assert vllm_cli["modules"] == {argv[2]: True}


@pytest.mark.gpu
def test_legacy_entry_point_still_starts(snippet, vllm_python):
    argv = shlex.split(snippet.source())
    done = subprocess.run([vllm_python, *argv[1:], "--help"], capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()
