tokenizer.padding_side = "left"  # (1)!
prompts = [
    "Give me a short introduction to large language models.",
    "What is the capital of France?",
    "写一首关于春天的短诗。",
]
texts = [
    tokenizer.apply_chat_template(
        [{"role": "user", "content": p}], tokenize=False, add_generation_prompt=True
    )
    for p in prompts
]
batch_inputs = tokenizer(texts, return_tensors="pt", padding=True).to(model.device)  # (2)!
batch_ids = model.generate(**batch_inputs, max_new_tokens=512)
new_tokens = batch_ids[:, batch_inputs.input_ids.shape[1] :]  # (3)!
responses = tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
for prompt, response in zip(prompts, responses):
    print(f"{prompt}\n{response}\n")
