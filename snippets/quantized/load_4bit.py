import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

bnb_config = BitsAndBytesConfig(
    load_in_4bit=True,  # (1)!
    bnb_4bit_quant_type="nf4",  # (2)!
    bnb_4bit_compute_dtype=torch.bfloat16,  # (3)!
)
model_name = "Qwen/Qwen2-7B-Instruct"
model = AutoModelForCausalLM.from_pretrained(
    model_name,
    quantization_config=bnb_config,  # (4)!
    dtype="auto",  # (5)!
    device_map="auto",
)
tokenizer = AutoTokenizer.from_pretrained(model_name)

messages = [{"role": "user", "content": "Give me a short introduction to large language models."}]
text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
model_inputs = tokenizer([text], return_tensors="pt").to(model.device)
generated_ids = model.generate(**model_inputs, max_new_tokens=512)
answer_ids = generated_ids[0][model_inputs.input_ids.shape[1] :]
print(tokenizer.decode(answer_ids, skip_special_tokens=True))
print(f"weights: {model.get_memory_footprint() / 1e9:.2f} GB")  # (6)!
