import json

from harness.site.pages import SITE


def test_sets_what_the_page_says(sets):
    overrides = json.loads(SITE.snippet_text("long_context/rope_scaling.json"))
    sets(max_model_len=131072, hf_overrides=overrides)
