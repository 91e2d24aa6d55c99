pip install "transformers>=4.56" torch accelerate
