ollama create qwen2-local -f Modelfile  # (1)!
ollama run qwen2-local
