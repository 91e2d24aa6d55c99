vllm serve Qwen/Qwen2-7B-Instruct --max-model-len 8192 --gpu-memory-utilization 0.95
