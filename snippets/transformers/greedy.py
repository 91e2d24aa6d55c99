generated_ids = model.generate(
    **model_inputs,
    max_new_tokens=512,
    do_sample=False,  # (1)!
    temperature=None,  # (2)!
    top_p=None,
    top_k=None,
)
