"""The long-context page's figures, computed from the model's config and the page's entry."""

import json

import pytest

from harness.qwen2.facts import KV_BYTES_PER_TOKEN
from harness.site import shell
from harness.site.pages import LANGS, SITE


@pytest.mark.parametrize("lang", LANGS)
def test_figures_are_computed(lang):
    scaling = json.loads(SITE.snippet_text("long_context/rope_scaling.json"))["rope_scaling"]
    native = scaling["original_max_position_embeddings"]
    longest = int(native * scaling["factor"])
    page = SITE.page("long-context", lang)
    text = " ".join(page.lines)
    for figure in (
        f"{native:,}",
        f"{longest:,}",
        f"{KV_BYTES_PER_TOKEN // 1024} KiB",
        f"{longest * KV_BYTES_PER_TOKEN / 2**30:.2f} GiB",
    ):
        assert figure in text, f"{page.rel} does not state {figure} (computed here)"
    # vLLM's command carries the same entry, in the form vLLM reads, and the length it allows.
    argv = shell.argv(SITE.snippet_text("long_context/serve_yarn.sh"))
    overrides = json.loads(argv[argv.index("--hf-overrides") + 1])
    renamed = {("rope_type" if k == "type" else k): v for k, v in scaling.items()}
    assert overrides == {"rope_scaling": renamed, "max_position_embeddings": longest}
    assert int(argv[argv.index("--max-model-len") + 1]) == longest
