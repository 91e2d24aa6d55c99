vllm serve Qwen/Qwen3-8B --reasoning-parser qwen3 --max-model-len 32768  # (1)!
