vllm serve Qwen/Qwen2-7B-Instruct --host 127.0.0.1
