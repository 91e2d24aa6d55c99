from openai import OpenAI

client = OpenAI(
    api_key="ollama",  # (1)!
    base_url="http://localhost:11434/v1",  # (2)!
)
chat_response = client.chat.completions.create(
    model="qwen2:7b",  # (3)!
    messages=[
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Tell me something about large language models."},
    ],
)
print("Chat response:", chat_response.choices[0].message.content)
