"""Qwen2-7B-Instruct, the model the pages teach: its facts, its files, its shapes and the
offline stand-in the suite runs the snippets against."""
