vllm serve Qwen/Qwen2-7B-Instruct \
  --hf-overrides '{"rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}, "max_position_embeddings": 131072}' \
  --max-model-len 131072
