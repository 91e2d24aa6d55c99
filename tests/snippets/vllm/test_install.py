from harness.suite import clis


def test_is_satisfied_by_vllms_environment(snippet, vllm_python):
    """`nox -s gpu` makes vLLM's environment by running this very line, `nox -s tests` installs
    the release [tool.qwen2-guide.parsed] names: either way, the line is satisfied there."""
    clis.pip_dry_run(snippet.source(), snippet.where(), vllm_python)
