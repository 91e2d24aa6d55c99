pip install modelscope
