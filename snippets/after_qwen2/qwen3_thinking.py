from transformers import AutoModelForCausalLM, AutoTokenizer

model_name = "Qwen/Qwen3-8B"
model = AutoModelForCausalLM.from_pretrained(model_name, dtype="auto", device_map="auto")
tokenizer = AutoTokenizer.from_pretrained(model_name)

messages = [{"role": "user", "content": "Tell me something about large language models."}]
text = tokenizer.apply_chat_template(
    messages,
    tokenize=False,
    add_generation_prompt=True,
    enable_thinking=True,  # (1)!
)
model_inputs = tokenizer([text], return_tensors="pt").to(model.device)
generated_ids = model.generate(**model_inputs, max_new_tokens=32768)  # (2)!
output_ids = generated_ids[0][len(model_inputs.input_ids[0]) :].tolist()

end_of_thinking = tokenizer.convert_tokens_to_ids("</think>")  # (3)!


def split_thinking(ids):
    """(thinking, answer): the text before the last </think>, and after it."""
    end = len(ids) - ids[::-1].index(end_of_thinking) if end_of_thinking in ids else 0
    thinking = tokenizer.decode(ids[:end], skip_special_tokens=True)
    answer = tokenizer.decode(ids[end:], skip_special_tokens=True)
    return thinking.replace("<think>", "").replace("</think>", "").strip(), answer.strip()  # (4)!


thinking, answer = split_thinking(output_ids)
print("Thinking:", thinking)
print("Answer:", answer)
