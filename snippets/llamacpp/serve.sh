./build/bin/llama-server -m qwen2-7b-instruct-q4_k_m.gguf \
  --alias Qwen/Qwen2-7B-Instruct \
  --host 127.0.0.1 --port 8000 \
  -c 8192 \
  -ngl all \
  -fa on
