import logging

bnb_config = BitsAndBytesConfig(load_in_8bit=True)  # (1)!
logging.getLogger("bitsandbytes.autograd._functions").setLevel(logging.ERROR)  # (2)!
