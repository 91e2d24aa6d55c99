model_name = "./Qwen2-7B-Instruct"  # (1)!
