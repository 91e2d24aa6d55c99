text = tokenizer.apply_chat_template(
    messages,
    tokenize=False,
    add_generation_prompt=True,
    enable_thinking=False,  # (1)!
)
model_inputs = tokenizer([text], return_tensors="pt").to(model.device)
generated_ids = model.generate(
    **model_inputs,
    max_new_tokens=512,
    temperature=0.7,  # (2)!
    top_p=0.8,
    top_k=20,
    min_p=0.0,
)
output_ids = generated_ids[0][len(model_inputs.input_ids[0]) :].tolist()
print(tokenizer.decode(output_ids, skip_special_tokens=True))
