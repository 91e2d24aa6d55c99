from openai import OpenAI

client = OpenAI(api_key="EMPTY", base_url="http://localhost:8000/v1")
chat_response = client.chat.completions.create(
    model="Qwen/Qwen2-7B-Instruct",
    messages=[{"role": "user", "content": "Tell me something about large language models."}],
    temperature=0.7,
    top_p=0.8,
    max_tokens=512,
    extra_body={  # (1)!
        "top_k": 10,
        "repetition_penalty": 1.1,
    },
)
print(chat_response.choices[0].message.content)
