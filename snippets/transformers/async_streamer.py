import asyncio
from threading import Thread

from transformers import AsyncTextIteratorStreamer


async def stream_reply():
    streamer = AsyncTextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
    kwargs = dict(**model_inputs, streamer=streamer, max_new_tokens=512)
    thread = Thread(target=model.generate, kwargs=kwargs)  # (1)!
    thread.start()
    async for new_text in streamer:  # (2)!
        print(new_text, end="", flush=True)
    thread.join()
    print()


asyncio.run(stream_reply())  # (3)!
