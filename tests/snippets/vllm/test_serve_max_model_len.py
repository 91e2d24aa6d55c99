def test_sets_what_the_page_says(sets):
    sets(max_model_len=8192, gpu_memory_utilization=0.95)
