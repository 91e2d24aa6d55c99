from transformers import TextStreamer

streamer = TextStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)  # (1)!
generated_ids = model.generate(
    **model_inputs,
    max_new_tokens=512,
    streamer=streamer,  # (2)!
)
