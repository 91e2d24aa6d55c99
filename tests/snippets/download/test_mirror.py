from harness.qwen2.facts import MODEL_ID


def test_variable_is_where_downloads_come_from(snippet, shell_then_python):
    value = snippet.source().split("=", 1)[1].strip()
    code = (
        "from huggingface_hub import constants, hf_hub_url; "
        f"print(constants.ENDPOINT); print(hf_hub_url({MODEL_ID!r}, 'config.json'))"
    )
    done = shell_then_python(snippet.source(), code)
    assert done.returncode == 0, done.stderr[-2000:]
    endpoint, url = done.stdout.split()
    assert endpoint == value and url.startswith(f"{value}/{MODEL_ID}/"), done.stdout
