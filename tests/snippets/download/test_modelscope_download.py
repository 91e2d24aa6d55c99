from harness.qwen2.facts import MODEL_ID
from harness.suite import clis


def test_command_parses(snippet):
    """ModelScope's own parser (modelscope_hub.cli.main), as `modelscope` builds it. The page
    says the older `--local_dir` still works: the same parser takes it."""
    line = snippet.source()
    args = clis.modelscope(line)
    assert (args.command, args.model, args.local_dir) == ("download", MODEL_ID, "Qwen2-7B-Instruct")
    legacy = clis.modelscope(line.replace("--local-dir", "--local_dir"))
    assert legacy.local_dir_legacy == "Qwen2-7B-Instruct"
