from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained(
    "Qwen/Qwen2-7B-Instruct",
    dtype="auto",  # (1)!
    device_map="auto",
    attn_implementation="flash_attention_2",  # (2)!
)
