vllm serve Qwen/Qwen2-7B-Instruct-AWQ --max-model-len 8192  # (1)!
