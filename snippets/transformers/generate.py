from transformers import AutoModelForCausalLM, AutoTokenizer  # (1)!

model_name = "Qwen/Qwen2-7B-Instruct"
model = AutoModelForCausalLM.from_pretrained(
    model_name,
    dtype="auto",  # (2)!
    device_map="auto",  # (3)!
)
tokenizer = AutoTokenizer.from_pretrained(model_name)

prompt = "Give me a short introduction to large language models."
messages = [
    {"role": "system", "content": "You are a helpful assistant."},  # (4)!
    {"role": "user", "content": prompt},
]
text = tokenizer.apply_chat_template(
    messages,
    tokenize=False,
    add_generation_prompt=True,  # (5)!
)
model_inputs = tokenizer([text], return_tensors="pt").to(model.device)  # (6)!

generated_ids = model.generate(
    **model_inputs,  # (7)!
    max_new_tokens=512,  # (8)!
)
generated_ids = [
    output_ids[len(input_ids) :]  # (9)!
    for input_ids, output_ids in zip(model_inputs.input_ids, generated_ids)
]
response = tokenizer.batch_decode(generated_ids, skip_special_tokens=True)[0]  # (10)!
print(response)
