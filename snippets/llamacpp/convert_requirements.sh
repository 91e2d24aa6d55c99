pip install -r requirements/requirements-convert_hf_to_gguf.txt
