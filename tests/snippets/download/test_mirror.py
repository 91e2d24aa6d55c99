import pytest

from harness.qwen2.facts import MODEL_ID
from harness.site.pages import LANGS, SITE
from harness.site.paths import ADDRESSES

MIRROR = ADDRESSES["Hugging Face mirror"]


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


def test_is_the_declared_mirror(snippet):
    assert snippet.source().strip() == f"export HF_ENDPOINT={MIRROR}"


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_names_the_same_mirror(lang):
    """The warning beside the command names the host the command uses."""
    host = MIRROR.removeprefix("https://")
    text = " ".join(SITE.page("download", lang).section("mirror").split())
    assert f"`{host}`" in text, f"docs/download: #mirror does not name `{host}`"
