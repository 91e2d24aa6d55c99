from transformers import AutoTokenizer

messages = [{"role": "user", "content": "Tell me something about large language models."}]
for model_name in ["Qwen/Qwen2-7B-Instruct", "Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen3-8B"]:
    tokenizer = AutoTokenizer.from_pretrained(model_name)  # (1)!
    print(f"--- {model_name}")
    print(tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))
