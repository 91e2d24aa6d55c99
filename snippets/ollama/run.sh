ollama run qwen2:7b  # (1)!
