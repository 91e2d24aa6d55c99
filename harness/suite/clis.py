"""Command-line tools' own argument parsers, for the commands the suite cannot run (downloads,
with no network here): a page's command is parsed exactly as the tool would parse it."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

from harness.site import shell


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
    `modelscope` command builds it, then normalized as its download command does before it runs
    (modelscope_hub.cli.compat): an unknown option exits with status 2, and a spelling it
    deprecates (`--model`, `--local_dir`) raises its DeprecationWarning."""
    from modelscope_hub.cli.compat import normalize_download_args
    from modelscope_hub.cli.main import _build_parser

    argv = shell.argv(line)
    assert argv[0] == "modelscope", line
    args = _build_parser().parse_args(argv[1:])
    if args.command == "download":
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            normalize_download_args(args)
    return args


def pip_dry_run(line: str, where: str, python: str = sys.executable) -> None:
    """A page's `pip install ...` line, resolved offline against the environment of ``python``:
    every requirement it names is satisfied, nothing would be installed. pip runs without the
    machine's configuration (a global constraints file or find-links would decide the verdict
    instead of the environment: a constraint pinning torch made it "install" another torch)."""
    argv = shell.argv(line)
    assert argv[:2] == ["pip", "install"], f"{where}: not a pip install line"
    cmd = [python, "-m", "pip", "install", "--dry-run", "--no-index", *argv[2:]]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env |= {"PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, f"{where}:\n{done.stdout}\n{done.stderr}"
    assert "Would install" not in done.stdout, f"{where}:\n{done.stdout}"
