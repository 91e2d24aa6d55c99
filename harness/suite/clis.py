"""Command-line tools' own argument parsers, for the commands the suite cannot run (downloads,
with no network here): a page's command is parsed exactly as the tool would parse it."""

from __future__ import annotations

import shlex
import warnings


def hf(line: str) -> tuple[str, dict]:
    """`hf ...` parsed by huggingface_hub's own command-line parser, without running it: the
    subcommand and its parameters (an unknown option or a missing argument raises)."""
    from huggingface_hub.cli.hf import app

    argv = shlex.split(line.replace("\\\n", " "), comments=True)
    assert argv[0] == "hf", line
    ctx = app.make_context("hf", argv[1:])
    with warnings.catch_warnings():  # click 8.2 deprecates protected_args, 9 drops it
        warnings.simplefilter("ignore", DeprecationWarning)
        args = [*getattr(ctx, "protected_args", []), *ctx.args]
    name, command, rest = app.resolve_command(ctx, args)
    return name, command.make_context(name, rest, parent=ctx).params


def modelscope(line: str):
    """`modelscope ...` parsed by ModelScope's own parser (modelscope_hub.cli.main), as the
    `modelscope` command builds it; an unknown option exits with status 2."""
    from modelscope_hub.cli.main import _build_parser

    argv = shlex.split(line.replace("\\\n", " "), comments=True)
    assert argv[0] == "modelscope", line
    return _build_parser().parse_args(argv[1:])
