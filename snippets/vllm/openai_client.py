from openai import OpenAI

client = OpenAI(
    api_key="EMPTY",  # (1)!
    base_url="http://localhost:8000/v1",  # (2)!
)
chat_response = client.chat.completions.create(
    model="Qwen/Qwen2-7B-Instruct",  # (3)!
    messages=[
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Tell me something about large language models."},
    ],
)
print("Chat response:", chat_response.choices[0].message.content)
