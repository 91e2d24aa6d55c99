hf download Qwen/Qwen2-7B-Instruct --local-dir Qwen2-7B-Instruct  # (1)!
python convert_hf_to_gguf.py Qwen2-7B-Instruct \
  --outtype f16 --outfile qwen2-7b-instruct-f16.gguf  # (2)!
./build/bin/llama-quantize \
  qwen2-7b-instruct-f16.gguf qwen2-7b-instruct-q4_k_m.gguf Q4_K_M  # (3)!
