config = model.generation_config
print(config.do_sample, config.temperature, config.top_p, config.top_k, config.repetition_penalty)
