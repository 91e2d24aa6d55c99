curl http://localhost:8000/v1/chat/completions \
  -H "Content-Type: application/json" \
  -d '{
    "model": "Qwen/Qwen2-7B-Instruct",
    "messages": [
      {"role": "user", "content": "Tell me something about large language models."}
    ],
    "temperature": 0,
    "max_tokens": 256
  }'
