from threading import Thread

from transformers import TextIteratorStreamer

streamer = TextIteratorStreamer(
    tokenizer,
    skip_prompt=True,
    skip_special_tokens=True,
    timeout=60,  # (1)!
)
generation_kwargs = dict(**model_inputs, streamer=streamer, max_new_tokens=512)  # (2)!
thread = Thread(target=model.generate, kwargs=generation_kwargs)  # (3)!
thread.start()

generated_text = ""
for new_text in streamer:  # (4)!
    generated_text += new_text
    print(new_text, end="", flush=True)
thread.join()
print()
