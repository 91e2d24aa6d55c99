"""Command-line tools' own argument parsers, for the commands the suite cannot run (downloads,
with no network here): a page's command is parsed exactly as the tool would parse it."""

from __future__ import annotations

import warnings

from harness.model import shell


def hf(line: str) -> tuple[str, dict]:
    """`hf ...` parsed by huggingface_hub's own command-line parser, without running it: the
    subcommand and its parameters (an unknown option or a missing argument raises). The parser
    is click's from huggingface_hub 1.0 on, argparse's in 0.34 to 0.36 (where `hf` began)."""
    argv = shell.argv(line)
    assert argv[0] == "hf", line
    try:
        from huggingface_hub.cli.hf import app
    except ImportError:
        return _hf_argparse(argv[1:])
    ctx = app.make_context("hf", argv[1:])
    with warnings.catch_warnings():  # click 8.2 deprecates protected_args, 9 drops it
        warnings.simplefilter("ignore", DeprecationWarning)
        args = [*getattr(ctx, "protected_args", []), *ctx.args]
    name, command, rest = app.resolve_command(ctx, args)
    return name, command.make_context(name, rest, parent=ctx).params


def _hf_argparse(argv: list[str]) -> tuple[str, dict]:
    from argparse import ArgumentParser

    from huggingface_hub.cli.download import DownloadCommand

    parser = ArgumentParser("hf")
    DownloadCommand.register_subcommand(parser.add_subparsers(dest="command"))
    params = vars(parser.parse_args(argv))
    params["filenames"] = tuple(params.get("filenames") or ())
    return params["command"], params


def modelscope(line: str):
    """`modelscope ...` parsed by ModelScope's own parser (modelscope_hub.cli.main), as the
    `modelscope` command builds it; an unknown option exits with status 2."""
    from modelscope_hub.cli.main import _build_parser

    argv = shell.argv(line)
    assert argv[0] == "modelscope", line
    return _build_parser().parse_args(argv[1:])
