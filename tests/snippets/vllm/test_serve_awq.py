from harness.qwen2.facts import MODEL_ID


def test_sets_what_the_page_says(sets):
    sets(model_tag=f"{MODEL_ID}-AWQ", max_model_len=8192)


def test_the_gpus_the_troubleshooting_page_names(vllm_cli):
    """AWQ needs compute capability 7.5 (a T4; not a V100, 7.0), GPTQ 6.0: as vLLM says."""
    from harness.site.pages import LANGS, SITE

    assert vllm_cli["min_capability"] == {"awq": 75, "gptq": 60}
    for lang in LANGS:
        text = " ".join(SITE.page("troubleshooting", lang).section("awq-v100").split())
        for fact in ("7.5", "6.0", "Minimum capability: 75", vllm_cli["version"]):
            assert fact in text, f"docs/troubleshooting ({lang}) #awq-v100: no {fact}"


def test_the_calculator_counts_the_share_this_command_takes(served):
    """The calculator's vLLM overhead is the share of the card this command leaves unused: the
    --gpu-memory-utilization vLLM sets when the command does not."""
    from harness.qwen2.facts import VLLM_GPU_SHARE

    assert served["gpu_memory_utilization"] == VLLM_GPU_SHARE
