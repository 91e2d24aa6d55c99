"""What vLLM itself reads from the pages' `vllm serve` commands: run with the python of vLLM's own
environment (it installs on a CPU, it cannot serve there), once per test session, by the
`vllm_cli` fixture (tests/snippets/conftest.py). Standard library and vLLM only.

Reads a JSON request on stdin, writes one JSON answer on stdout:
- each command parsed by the `vllm serve` subcommand's own parser and checked by its own
  `validate`, in the folder of the snippet it comes from (a file it names is read from there),
  with the environment variables set on its line, and the values of those variables as
  `vllm.envs` reads them; for a model the suite has (the stand-in's configuration is the real
  model's, but for its sizes), the configuration vLLM builds from it;
- the named tool-call parser's reading of a reply, with the model's tokenizer;
- the help of the options the pages explain, and whether the modules they run exist;
- the error vLLM's own KV cache check raises for the sizes given;
- the lowest compute capability it accepts for each quantization method;
- whether each reasoning parser the pages name is registered, and the fields of a chat
  completion request and of the message it answers with.
"""

import contextlib
import importlib.metadata
import importlib.util
import json
import os
import sys

# vLLM writes its options' help only when "--help" is on the command line (NEEDS_HELP in
# vllm/engine/arg_utils.py): ask for it, so that the probe can read the help the pages explain.
sys.argv[1:] = ["--help"]

from vllm import platforms  # noqa: E402

# On a machine without a GPU the CUDA build of vLLM detects no platform, and building its
# argument parser fails ("Failed to infer device type"); `vllm bench` falls back to the CPU
# platform the same way (vllm/entrypoints/cli/main.py).
if platforms.current_platform.is_unspecified():
    from vllm.platforms.cpu import CpuPlatform

    platforms.current_platform = CpuPlatform()

import vllm.envs  # noqa: E402
from vllm.entrypoints.cli.serve import cmd_init  # noqa: E402

try:
    from vllm.utils.argparse_utils import FlexibleArgumentParser  # vLLM 0.11 and newer
except ImportError:
    from vllm.utils import FlexibleArgumentParser


def serve_parser():
    (serve,) = [c for c in cmd_init() if c.name == "serve"]
    root = FlexibleArgumentParser(prog="vllm")
    return serve, root, serve.subparser_init(root.add_subparsers(dest="subparser"))


@contextlib.contextmanager
def environment(cwd: str, variables: dict[str, str]):
    before, where = dict(os.environ), os.getcwd()
    os.environ.update(variables)
    os.chdir(cwd)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(before)
        os.chdir(where)


def parse(serve, root, command: dict) -> dict:
    with environment(command["cwd"], command["env"]):
        try:
            args = root.parse_args(["serve", *command["argv"]])
            serve.validate(args)
        except SystemExit as error:  # argparse's exit on an unknown option or a bad value
            return {"error": f"exit {error.code}"}
        except Exception as error:
            return {"error": f"{type(error).__name__}: {error}"}
        plain = (int, float, str, bool, type(None), dict, list)
        parsed = {k: v for k, v in vars(args).items() if isinstance(v, plain)}
        envs = {k: getattr(vllm.envs, k) for k in command["env"]}
        model = model_config(args) if command["model_config"] else None
    return {"args": json.loads(json.dumps(parsed, default=str)), "envs": envs, "model": model}


def model_config(args) -> dict | str:
    """The model's configuration as vLLM builds it from the command (the model's config.json,
    then --hf-overrides, --max-model-len, --dtype): what it serves, short of loading weights."""
    from vllm.engine.arg_utils import AsyncEngineArgs

    args.model = args.model_tag  # as `vllm serve` does before it builds the engine
    try:
        config = AsyncEngineArgs.from_cli_args(args).create_model_config()
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    rope = getattr(config.hf_config, "rope_parameters", None)
    rope = rope or getattr(config.hf_config, "rope_scaling", None)
    return {"max_model_len": config.max_model_len, "dtype": str(config.dtype), "rope": rope}


def tool_parser_reads(name: str, model: str, reply: str) -> list[dict] | str:
    try:
        from vllm.tool_parsers import ToolParserManager  # vLLM 0.13 and newer
    except ImportError:
        from vllm.entrypoints.openai.tool_parsers import ToolParserManager
    from transformers import AutoTokenizer

    try:
        parser = ToolParserManager.get_tool_parser(name)(AutoTokenizer.from_pretrained(model))
        # The request only matters to the streaming reader.
        found = parser.extract_tool_calls(reply, None)
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    calls = [c.function for c in found.tool_calls]
    return [{"name": f.name, "arguments": json.loads(f.arguments)} for f in calls]


def min_capabilities(methods: list[str]) -> dict[str, int]:
    """The lowest GPU compute capability vLLM accepts for each quantization method."""
    from vllm.model_executor.layers.quantization import get_quantization_config

    return {m: get_quantization_config(m).get_min_capability() for m in methods}


def reasoning(names: list[str]) -> dict:
    from vllm.entrypoints.openai.chat_completion.protocol import (
        ChatCompletionRequest,
        ChatMessage,
    )
    from vllm.reasoning import ReasoningParserManager

    registered = set(ReasoningParserManager.list_registered())
    return {
        "parsers": {n: n in registered for n in names},
        "message": list(ChatMessage.model_fields),
        "request": list(ChatCompletionRequest.model_fields),
    }


def kv_cache_error(sizes: dict) -> str:
    try:  # moved in vLLM 0.33
        from vllm.v1.core.kv_cache_planning import _check_enough_kv_cache_memory as check
    except ImportError:
        from vllm.v1.core.kv_cache_utils import _check_enough_kv_cache_memory as check

    gib, context, per_token, estimate = (sizes[k] for k in ("free", "context", "per_token", "fits"))
    try:
        check(gib, lambda: context * per_token, context, lambda _: estimate)
    except ValueError as error:
        return f"ValueError: {error}"
    return ""


def main() -> None:
    request = json.load(sys.stdin)
    serve, root, parser = serve_parser()
    helps = {a.dest: a.help for a in parser._actions}
    answer = {
        "version": importlib.metadata.version("vllm"),
        "commands": {name: parse(serve, root, c) for name, c in request["commands"].items()},
        "help": {dest: helps.get(dest) for dest in request["help"]},
        "modules": {m: importlib.util.find_spec(m) is not None for m in request["modules"]},
        "tool_calls": tool_parser_reads(**request["tool_calls"]),
        "kv_cache_error": kv_cache_error(request["kv_cache"]),
        "min_capability": min_capabilities(request["quantizations"]),
        "reasoning": reasoning(request["reasoning_parsers"]),
    }
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
