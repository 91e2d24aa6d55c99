"""The MLX page's commands, run with MLX's CPU build for Linux (`mlx-lm[cpu]`).

`nox -s tests` and `nox -s oldest` install mlx-lm in an environment of its own and name its bin
folder in MLX_BIN. The stand-in is converted by the page's `mlx_lm.convert` command, then
published in a scratch Hugging Face cache as `Qwen/Qwen2-7B-Instruct-MLX`, so that the page's
`mlx_lm.generate` command runs verbatim, offline. What MLX does on a Mac's GPU (Metal) is not run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.qwen2.facts import MODEL_ID
from harness.suite.runner import Run, SnippetError

OFFICIAL = f"{MODEL_ID}-MLX"
FOLDER = "qwen2-7b-instruct-4bit"


@pytest.fixture(scope="session")
def mlx_bin() -> Path:
    where = os.environ.get("MLX_BIN")
    path = Path(where) if where else Path(sys.executable).parent
    if not (path / "mlx_lm.convert").exists():
        pytest.fail(
            f"no mlx_lm.convert in {path}: run `nox -s tests` (it makes MLX's environment), or "
            "set MLX_BIN to the bin folder of an environment with mlx-lm[cpu]",
            pytrace=False,
        )
    return path


@dataclass
class MLXRuns:
    folder: Path  # what mlx/convert.sh wrote
    generate: list[tuple[dict | None, Run]]  # mlx/generate.sh: (its adaptation, its run)


@pytest.fixture(scope="session")
def mlx_runs(runner, mlx_bin, tmp_path_factory) -> MLXRuns:
    """The page's commands: convert.sh in a scratch folder, its result published in a scratch
    Hugging Face cache as the official MLX model (in which Qwen/Qwen2-7B-Instruct is the
    stand-in, linked), generate.sh verbatim and with the folder convert.sh wrote, as the page
    says."""
    home = tmp_path_factory.mktemp("mlx-hf-home")
    (home / "hub").mkdir()
    standin = Path(os.environ["HF_HOME"]) / "hub" / "models--Qwen--Qwen2-7B-Instruct"
    (home / "hub" / standin.name).symlink_to(standin)
    env = {
        **os.environ,
        "HF_HOME": str(home),
        "PATH": f"{mlx_bin}{os.pathsep}{os.environ['PATH']}",
    }
    work = tmp_path_factory.mktemp("mlx")
    runner.shell("mlx/convert.sh", cwd=work, env=env, timeout=300)
    folder = work / FOLDER
    digest = hashlib.sha1()
    for f in sorted(folder.iterdir()):
        digest.update(f.read_bytes())
    revision = digest.hexdigest()
    repo = home / "hub" / ("models--" + OFFICIAL.replace("/", "--"))
    # Hard links: both folders are scratch folders in the same place, and nothing writes to them.
    shutil.copytree(folder, repo / "snapshots" / revision, copy_function=os.link)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(revision)
    # The second run only shows that the folder loads and answers: one token (MLX's CPU build
    # takes about 0.35 s a token, most of it in the stand-in's 152,064-row output layer, 4-bit).
    folder_run = {OFFICIAL: FOLDER, "--max-tokens 512": "--max-tokens 1"}
    runs = [(r, run_generate(runner, r, work, env)) for r in (None, folder_run)]
    return MLXRuns(folder, runs)


def run_generate(runner, replace, cwd, env):
    """The generate command, run again (at most six times in all) when MLX's Linux CPU build
    aborts in its teardown after printing everything ("malloc_consolidate(): unaligned fastbin
    chunk detected", exit -6: about 1 run in 12 here, in MLX itself, not in the page's command or
    on a Mac). Any other failure fails at once."""
    for attempt in range(6):
        try:
            return runner.shell("mlx/generate.sh", replace, cwd=cwd, env=env, timeout=300)
        except SnippetError as error:
            teardown = "exited -6" in str(error) and "malloc_consolidate" in str(error)
            if not teardown or attempt == 5:
                raise
