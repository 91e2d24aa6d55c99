./build/bin/llama-bench -m qwen2-7b-instruct-q4_k_m.gguf  # (1)!
