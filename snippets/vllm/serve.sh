vllm serve Qwen/Qwen2-7B-Instruct  # (1)!
