ollama show --modelfile qwen2-local  # (1)!
ollama ps  # (2)!
