from openai import OpenAI

client = OpenAI(api_key="EMPTY", base_url="http://localhost:8000/v1")
stream = client.chat.completions.create(
    model="Qwen/Qwen2-7B-Instruct",
    messages=[{"role": "user", "content": "Tell me something about large language models."}],
    stream=True,  # (1)!
)
for chunk in stream:
    if chunk.choices and chunk.choices[0].delta.content:  # (2)!
        print(chunk.choices[0].delta.content, end="", flush=True)
print()
