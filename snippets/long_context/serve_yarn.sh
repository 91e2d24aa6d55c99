vllm serve Qwen/Qwen2-7B-Instruct \
  --hf-overrides '{"rope_scaling": {"factor": 4.0, "original_max_position_embeddings": 32768, "type": "yarn"}}' \
  --max-model-len 131072
