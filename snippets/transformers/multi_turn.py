def chat(history, user_message):
    history.append({"role": "user", "content": user_message})
    text = tokenizer.apply_chat_template(history, tokenize=False, add_generation_prompt=True)
    inputs = tokenizer([text], return_tensors="pt").to(model.device)
    output_ids = model.generate(**inputs, max_new_tokens=512)
    reply = tokenizer.decode(output_ids[0][inputs.input_ids.shape[1] :], skip_special_tokens=True)
    history.append({"role": "assistant", "content": reply})  # (1)!
    return reply


history = [{"role": "system", "content": "You are a helpful assistant."}]
print(chat(history, "Give me a short introduction to large language models."))
print(chat(history, "Now say it in one sentence."))  # (2)!
