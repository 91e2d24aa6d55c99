bnb_config = BitsAndBytesConfig(load_in_8bit=True)  # (1)!
