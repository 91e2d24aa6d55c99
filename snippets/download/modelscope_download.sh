modelscope download Qwen/Qwen2-7B-Instruct --local-dir Qwen2-7B-Instruct
