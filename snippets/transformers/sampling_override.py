generated_ids = model.generate(
    **model_inputs,
    max_new_tokens=512,
    temperature=0.3,  # (1)!
    top_p=0.9,
)
