vllm serve Qwen/Qwen2-7B-Instruct \
  --enable-auto-tool-choice \
  --tool-call-parser hermes \
  --chat-template qwen2_tool_template.jinja
