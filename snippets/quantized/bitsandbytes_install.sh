pip install "bitsandbytes>=0.50" "transformers>=4.56" accelerate
