"""The MLX page's commands, run with MLX's CPU build for Linux (`mlx-lm[cpu]`).

`nox -s tests` and `nox -s oldest` install mlx-lm in an environment of its own and name its bin
folder in MLX_BIN. The stand-in is converted by the page's `mlx_lm.convert` command, then
published in a scratch Hugging Face cache as `Qwen/Qwen2-7B-Instruct-MLX`, so that the page's
`mlx_lm.generate` command runs verbatim, offline. What MLX does on a Mac's GPU (Metal) is not run.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.model import shell
from harness.model.facts import GENERATION_CONFIG, MODEL_ID
from harness.model.shapes import meta_model
from harness.model.site import LANGS, SITE
from harness.suite import background
from harness.suite.runner import Run, SnippetError

OFFICIAL = "Qwen/Qwen2-7B-Instruct-MLX"
FOLDER = "qwen2-7b-instruct-4bit"


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


@background.early
def mlx_runs(j) -> MLXRuns:
    """The page's commands, started at collection (they are about 20 s of MLX interpreters):
    convert.sh in a scratch folder, its result published in a scratch Hugging Face cache as the
    official MLX model (in which Qwen/Qwen2-7B-Instruct is the stand-in, linked), generate.sh
    verbatim and with the folder convert.sh wrote, as the page says."""
    home = j.scratch("mlx-hf-home-")
    (home / "hub").mkdir()
    standin = Path(os.environ["HF_HOME"]) / "hub" / "models--Qwen--Qwen2-7B-Instruct"
    (home / "hub" / standin.name).symlink_to(standin)
    env = {
        **os.environ,
        "HF_HOME": str(home),
        "PATH": f"{mlx_bin()}{os.pathsep}{os.environ['PATH']}",
    }
    work = j.scratch("mlx-")
    j.runner.shell("mlx/convert.sh", cwd=work, env=env, timeout=300, claim=False)
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
    runs = [(r, run_generate(j.runner, r, work, env)) for r in (None, folder_run)]
    return MLXRuns(folder, runs)


@pytest.mark.snippet("mlx/install.sh")
def test_install_command_names_the_package_the_suite_runs(snippet):
    argv = shlex.split(snippet.source())
    assert argv[:2] == ["pip", "install"], snippet.where()
    cmd = [mlx_bin() / "python", "-m", "pip", "install", "--dry-run", "--no-index", *argv[2:]]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    done = subprocess.run(
        cmd, capture_output=True, text=True, env={**env, "PIP_CONFIG_FILE": os.devnull}
    )
    assert done.returncode == 0 and "Would install" not in done.stdout, done.stdout + done.stderr


@pytest.mark.snippet("mlx/convert.sh")
def test_convert_quantizes_to_4_bits_in_groups_of_64(snippet, mlx_runs):
    snippet.source()
    converted = mlx_runs.folder
    config = json.loads((converted / "config.json").read_text())
    quantization = config["quantization"]
    assert (quantization["bits"], quantization["group_size"]) == (4, 64), quantization
    # The chat template comes along, and the card says where the model came from.
    assert (converted / "chat_template.jinja").is_file() or "chat_template" in json.loads(
        (converted / "tokenizer_config.json").read_text()
    )
    assert MODEL_ID in (converted / "README.md").read_text()
    for lang in LANGS:
        text = " ".join(SITE.page("mlx", lang).section("convert").split())
        assert "4" in text and "64" in text, f"docs/mlx ({lang}) #convert: bits and group size"


def generated(out: str) -> tuple[str, int]:
    """mlx_lm.generate's answer (between its ===== lines) and its count of prompt tokens. (The
    stand-in never ends an answer before its first token: harness/standin.py.)"""
    parts = out.split("==========")
    assert len(parts) >= 3, out[-2000:]
    prompt_tokens = re.search(r"Prompt: (\d+) tokens", out)
    assert prompt_tokens, out[-2000:]
    return parts[1].strip(), int(prompt_tokens[1])


def run_generate(runner, replace, cwd, env):
    """The generate command, run again (at most six times in all) when MLX's Linux CPU build
    aborts in its teardown after printing everything ("malloc_consolidate(): unaligned fastbin
    chunk detected", exit -6: about 1 run in 12 here, in MLX itself, not in the page's command or
    on a Mac). Any other failure fails at once."""
    for attempt in range(6):
        try:
            return runner.shell(
                "mlx/generate.sh", replace, cwd=cwd, env=env, timeout=300, claim=False
            )
        except SnippetError as error:
            teardown = "exited -6" in str(error) and "malloc_consolidate" in str(error)
            if not teardown or attempt == 5:
                raise


@pytest.mark.snippet("mlx/generate.sh")
def test_generate_chats_with_the_models_sampling(snippet, mlx_runs, tokenizer):
    """Run verbatim (the official id resolves to the converted stand-in), then with the folder
    the convert command wrote, as the page says (with one new token). The prompt is
    ChatML with the default system prompt and the generation prompt: its token count is the chat
    template's."""
    argv = shell.argv(snippet.source())
    prompt = argv[argv.index("--prompt") + 1]
    chatml = tokenizer.apply_chat_template(
        [{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True
    )
    assert chatml.startswith("<|im_start|>system\nYou are a helpful assistant.<|im_end|>")
    expected_tokens = len(tokenizer(chatml).input_ids)
    for replace, run in mlx_runs.generate:
        answer, prompt_tokens = generated(run.printed)
        assert prompt_tokens == expected_tokens, (replace, prompt_tokens, expected_tokens)
        assert "<|im_" not in answer and "<|endoftext|>" not in answer, answer
    # The sampling flags are the model's own generation_config.json (mlx_lm's defaults: greedy).
    flags = {k: float(argv[argv.index(k) + 1]) for k in ("--temp", "--top-p", "--top-k")}
    wanted = {
        "--temp": GENERATION_CONFIG["temperature"],
        "--top-p": GENERATION_CONFIG["top_p"],
        "--top-k": GENERATION_CONFIG["top_k"],
    }
    assert flags == wanted, (flags, wanted)


def generate_defaults() -> tuple[float, int]:
    """mlx_lm.generate's default temperature and token limit: the `default=` of its `--temp` and
    `--max-tokens` arguments, read from the installed mlx_lm's source (importing it would cost a
    second or two of an MLX interpreter)."""
    env = mlx_bin().parent
    found = sorted(env.glob("lib/python3*/site-packages/mlx_lm/generate.py"))
    if not found:
        pytest.fail(f"no mlx_lm/generate.py in {env}'s site-packages", pytrace=False)
    source = found[0]
    tree = ast.parse(source.read_text(encoding="utf-8"))
    constants = {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    wanted = ("--temp", "--max-tokens")
    defaults = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "add_argument"):
            continue
        flag = next((a.value for a in node.args if getattr(a, "value", None) in wanted), None)
        value = next((k.value for k in node.keywords if k.arg == "default"), None)
        if isinstance(value, ast.Name):
            value = constants.get(value.id)
        if flag and value is not None:
            defaults[flag] = ast.literal_eval(value)
    missing = [flag for flag in wanted if flag not in defaults]
    assert not missing, f"{source}: no default found for {missing}"
    return defaults["--temp"], defaults["--max-tokens"]


@pytest.mark.parametrize("lang", LANGS)
def test_mlx_figures_are_computed(lang):
    """The 4-bit size: every linear layer and the embeddings at 4 bits plus a 16-bit scale and
    offset per 64 weights (4.5 bits, as mlx_lm.convert reports), the rest in 16 bits; and
    mlx_lm.generate's defaults, read from the installed mlx_lm."""
    import torch

    model = meta_model()
    total = sum(p.numel() for p in model.parameters())
    quantized = sum(
        m.weight.numel()
        for m in model.modules()
        if isinstance(m, (torch.nn.Linear, torch.nn.Embedding))
    )
    size = f"{(quantized * 4.5 / 8 + (total - quantized) * 2) / 1e9:.1f} GB"
    page = SITE.page("mlx", lang)
    assert size in page.section("mlx"), f"{page.rel} #mlx does not state {size} (computed here)"
    temp, max_tokens = generate_defaults()
    text = page.section("generate")
    assert f"--temp {temp:g}" in text and f" {max_tokens} " in text, (temp, max_tokens)
