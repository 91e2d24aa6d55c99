pip install modelscope
VLLM_USE_MODELSCOPE=true vllm serve Qwen/Qwen2-7B-Instruct
