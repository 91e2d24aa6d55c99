"""What the mirror tests share: vLLM's own parser for `vllm serve`'s options, for the commands
only the gpu tier runs."""

from __future__ import annotations

import json
import subprocess

import pytest

from harness.qwen2.facts import MODEL_ID
from harness.site import shell

# Its import path moved in 0.11.
PARSE = """
import json, sys
try:
    from vllm.utils.argparse_utils import FlexibleArgumentParser
except ImportError:
    from vllm.utils import FlexibleArgumentParser
from vllm.entrypoints.openai.cli_args import make_arg_parser
args = make_arg_parser(FlexibleArgumentParser()).parse_args(sys.argv[1:])
plain = (int, float, str, type(None), dict)
print(json.dumps({k: v for k, v in vars(args).items() if isinstance(v, plain)}, default=str))
"""


@pytest.fixture
def vllm_parse(vllm_python):
    """`vllm serve MODEL --options` as vLLM parses it: unknown options and bad values fail."""

    def parse(command: str) -> dict:
        argv = shell.argv(command)
        # Qwen/Qwen2-7B-Instruct, or one of its quantized releases (Qwen/Qwen2-7B-Instruct-AWQ)
        assert argv[:2] == ["vllm", "serve"] and argv[2].startswith(MODEL_ID), argv
        done = subprocess.run(
            [vllm_python, "-c", PARSE, "--model", argv[2], *argv[3:]],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.splitlines()[-1])

    return parse


@pytest.fixture
def sets(snippet, vllm_parse):
    """What the mirrored command sets, as vLLM reads it: ``sets(option=value, ...)`` asserts."""

    def check(**wanted) -> None:
        parsed = vllm_parse(snippet.source())
        assert {k: parsed.get(k) for k in wanted} == wanted

    return check
