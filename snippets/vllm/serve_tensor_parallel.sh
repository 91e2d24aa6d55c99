vllm serve Qwen/Qwen2-7B-Instruct --tensor-parallel-size 2
