import pytest

from harness.qwen2.facts import MODEL_ID
from harness.suite import clis


def test_command_parses_without_deprecations(snippet):
    """ModelScope's own parser (modelscope_hub.cli.main), as `modelscope` builds it."""
    args = clis.modelscope(snippet.source())
    assert (args.command, args.repo_id, args.local_dir) == (
        "download",
        MODEL_ID,
        "Qwen2-7B-Instruct",
    )


@pytest.mark.parametrize(
    "old, new",
    [
        ("--model Qwen/Qwen2-7B-Instruct", "Qwen/Qwen2-7B-Instruct"),
        ("--local_dir", "--local-dir"),
    ],
)
def test_older_spellings_still_work_deprecated(snippet, old, new):
    """What the page says of the spellings older guides use."""
    line = snippet.source().replace(new, old)
    assert old in line
    with pytest.raises(DeprecationWarning, match=f"'{old.split()[0]}' is deprecated"):
        clis.modelscope(line)
