from threading import Thread

from transformers import TextIteratorStreamer

streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
generation_kwargs = dict(**model_inputs, streamer=streamer, max_new_tokens=512)  # (1)!
thread = Thread(target=model.generate, kwargs=generation_kwargs)  # (2)!
thread.start()

generated_text = ""
for new_text in streamer:  # (3)!
    generated_text += new_text
    print(new_text, end="", flush=True)
thread.join()
print()
