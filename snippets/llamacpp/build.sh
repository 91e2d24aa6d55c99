git clone https://github.com/ggml-org/llama.cpp
cd llama.cpp
cmake -B build  # (1)!
cmake --build build --config Release -j 8 \
  --target llama-server llama-cli llama-quantize llama-bench  # (2)!
