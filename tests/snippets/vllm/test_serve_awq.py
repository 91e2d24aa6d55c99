from harness.qwen2.facts import MODEL_ID


def test_sets_what_the_page_says(sets):
    sets(model_tag=f"{MODEL_ID}-AWQ", max_model_len=8192)
