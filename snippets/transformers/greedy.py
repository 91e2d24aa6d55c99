generated_ids = model.generate(**model_inputs, max_new_tokens=512, do_sample=False)  # (1)!
