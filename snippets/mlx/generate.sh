mlx_lm.generate --model Qwen/Qwen2-7B-Instruct-MLX \
  --prompt "Give me a short introduction to large language models." \
  --temp 0.7 --top-p 0.8 --top-k 20 --max-tokens 512
