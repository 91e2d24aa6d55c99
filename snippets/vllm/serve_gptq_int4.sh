vllm serve Qwen/Qwen2-7B-Instruct-GPTQ-Int4 --max-model-len 8192  # (1)!
