"""The canary's bump (harness/tools/pins.py): the verified newest end, the one place a version
is written, moves up to what the canary ran with; the sessions' pins follow from it."""

from harness.tools import pins


def test_bump_moves_the_newest_end_only_where_newer(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        'snippets = ["transformers[serving]", "openai"]\n'
        "[tool.qwen2-guide.verified]\n"
        'transformers = ["4.56.0", "5.23.0"]\ntorch = ["2.13.0", "2.15.0"]\n'
        'openai = ["1.55.3", "3.54.0"]\n'
    )
    moved = pins.bump({"transformers": "5.24.1", "openai": "3.54.0", "torch": "2.14.0"}, tmp_path)
    assert moved == ["transformers 5.23.0 -> 5.24.1"]
    text = pyproject.read_text()
    assert 'transformers = ["4.56.0", "5.24.1"]' in text
    assert 'openai = ["1.55.3", "3.54.0"]' in text and 'torch = ["2.13.0", "2.15.0"]' in text
    assert 'snippets = ["transformers[serving]", "openai"]' in text
