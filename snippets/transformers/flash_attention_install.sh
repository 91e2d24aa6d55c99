pip install flash-attn --no-build-isolation
