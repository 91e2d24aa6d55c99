messages = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Give me a short introduction to large language models."},
    {"role": "assistant", "content": "Large language models are neural networks trained on text."},
    {"role": "user", "content": "Name two of them."},  # (1)!
]
print(tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))
