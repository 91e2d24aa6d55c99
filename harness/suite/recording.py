"""What a snippet does while it runs, recorded for the invariants (harness/suite/invariants.py):
what it hands to ``generate``, what the tokenizer decodes, what the streamers emit, and every
request to the chat server and its answer. Only the libraries the snippet has installed are
watched."""

from __future__ import annotations

import contextlib
import importlib
import json
from collections.abc import Iterator
from unittest import mock

from harness.suite.invariants import Exchange, Record


@contextlib.contextmanager
def record(rec: Record) -> Iterator[Record]:
    """Watch the calls a snippet makes while it runs (only the libraries it has installed)."""
    with contextlib.ExitStack() as stack:
        with contextlib.suppress(ImportError):
            _watch_transformers(stack, rec)
        for name in HTTP_CLIENTS:
            with contextlib.suppress(ImportError):
                _watch_httpx(stack, rec, importlib.import_module(name))
        yield rec


def _watch_transformers(stack: contextlib.ExitStack, rec: Record) -> None:
    import transformers
    from transformers.generation.utils import GenerationMixin
    from transformers.tokenization_utils_base import PreTrainedTokenizerBase

    generate = GenerationMixin.generate

    def watched_generate(self, *args, **kwargs):
        ids = kwargs.get("input_ids", args[0] if args else None)
        if ids is not None and hasattr(ids, "tolist"):
            call = {"input_ids": ids.detach().cpu(), "attention_mask": kwargs.get("attention_mask")}
            call["kwargs"] = {
                k: v for k, v in kwargs.items() if k not in {"input_ids", "attention_mask"}
            }
            streamer = kwargs.get("streamer")
            tok = getattr(streamer, "tokenizer", None)
            if tok is not None:
                call["prompt_text"] = decode(tok, ids[0].tolist(), skip_special_tokens=True)
            with rec.lock:
                rec.generate_calls.append(call)
        return generate(self, *args, **kwargs)

    decode, batch_decode = PreTrainedTokenizerBase.decode, PreTrainedTokenizerBase.batch_decode

    def watched_decode(self, *args, **kwargs):
        text = decode(self, *args, **kwargs)
        with rec.lock:
            rec.decoded.append(text)
        return text

    def watched_batch_decode(self, *args, **kwargs):
        texts = batch_decode(self, *args, **kwargs)
        with rec.lock:
            rec.decoded.extend(texts)
        return texts

    stack.enter_context(mock.patch.object(GenerationMixin, "generate", watched_generate))
    stack.enter_context(mock.patch.object(PreTrainedTokenizerBase, "decode", watched_decode))
    stack.enter_context(
        mock.patch.object(PreTrainedTokenizerBase, "batch_decode", watched_batch_decode)
    )
    streamers = [transformers.TextStreamer, transformers.TextIteratorStreamer]
    streamers += [getattr(transformers, "AsyncTextIteratorStreamer", None)]
    for cls in filter(None, streamers):
        stack.enter_context(
            mock.patch.object(cls, "on_finalized_text", _watch_stream(rec, cls.on_finalized_text))
        )


def _watch_stream(rec: Record, original):
    def on_finalized_text(self, text, stream_end=False):
        with rec.lock:
            rec.streamed[id(self)] = rec.streamed.get(id(self), "") + text
        return original(self, text, stream_end)

    return on_finalized_text


# openai 1.x and 2.x send through httpx, openai 3.x through its fork httpx2 (same API).
HTTP_CLIENTS = ("httpx", "httpx2")


def _watch_httpx(stack: contextlib.ExitStack, rec: Record, httpx) -> None:
    def exchange(request, response) -> Exchange | None:
        if not request.url.path.endswith("/chat/completions"):
            return None
        try:
            body = json.loads(request.content or b"{}")
        except ValueError:
            body = {}
        ex = Exchange(body, response.headers.get("content-type", ""), "")
        with rec.lock:
            rec.exchanges.append(ex)
        return ex

    class Tap(httpx.SyncByteStream):
        def __init__(self, inner, ex):
            self.inner, self.ex = inner, ex

        def __iter__(self):
            for chunk in self.inner:
                self.ex.body += chunk.decode("utf-8", "replace")
                yield chunk

        def close(self):
            self.inner.close()

    class AsyncTap(httpx.AsyncByteStream):
        def __init__(self, inner, ex):
            self.inner, self.ex = inner, ex

        async def __aiter__(self):
            async for chunk in self.inner:
                self.ex.body += chunk.decode("utf-8", "replace")
                yield chunk

        async def aclose(self):
            await self.inner.aclose()

    handle = httpx.HTTPTransport.handle_request
    handle_async = httpx.AsyncHTTPTransport.handle_async_request

    def watched(self, request):
        response = handle(self, request)
        ex = exchange(request, response)
        if ex is not None:
            response.stream = Tap(response.stream, ex)
        return response

    async def watched_async(self, request):
        response = await handle_async(self, request)
        ex = exchange(request, response)
        if ex is not None:
            response.stream = AsyncTap(response.stream, ex)
        return response

    stack.enter_context(mock.patch.object(httpx.HTTPTransport, "handle_request", watched))
    stack.enter_context(
        mock.patch.object(httpx.AsyncHTTPTransport, "handle_async_request", watched_async)
    )
