./build/bin/llama-cli -m qwen2-7b-instruct-q4_k_m.gguf \
  -sys "You are a helpful assistant." \
  -p "Give me a short introduction to large language models." \
  -n 512 -st \
  --temp 0.7 --top-p 0.8 --top-k 20 --min-p 0 --repeat-penalty 1.05
