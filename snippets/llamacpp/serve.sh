./build/bin/llama-server -m qwen2-7b-instruct-q4_k_m.gguf \
  --alias Qwen/Qwen2-7B-Instruct \
  --host 127.0.0.1 --port 8000 \
  -c 8192 \
  -ngl all \
  -fa on \
  --temp 0.7 --top-p 0.8 --top-k 20 --min-p 0 --repeat-penalty 1.05
