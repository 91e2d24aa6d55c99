mlx_lm.convert --hf-path Qwen/Qwen2-7B-Instruct \
  -q --mlx-path qwen2-7b-instruct-4bit  # (1)!
