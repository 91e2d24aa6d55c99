vllm serve Qwen/Qwen2-7B-Instruct --dtype half
