"""The MLX page's figures: the 4-bit size computed from the model's shapes, and mlx_lm.generate's
defaults read from the installed mlx_lm."""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path

import pytest

from harness.qwen2.memory import stored
from harness.site.pages import LANGS, SITE


def generate_defaults() -> tuple[float, int]:
    """mlx_lm.generate's default temperature and token limit: the `default=` of its `--temp` and
    `--max-tokens` arguments, read from the installed mlx_lm's source (importing it would cost a
    second or two of an MLX interpreter)."""
    where = os.environ.get("MLX_BIN")
    env = Path(where).parent if where else Path(sys.executable).parent.parent
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
def test_figures_are_computed(lang):
    """The 4-bit size: every linear layer and the embeddings at 4 bits plus a 16-bit scale and
    offset per 64 weights (4.5 bits, as mlx_lm.convert reports), the rest in 16 bits; and
    mlx_lm.generate's defaults, read from the installed mlx_lm."""
    size = f"{stored('MLX 4-bit') / 1e9:.1f} GB"
    page = SITE.page("mlx", lang)
    assert size in page.section("mlx"), f"{page.rel} #mlx does not state {size} (computed here)"
    temp, max_tokens = generate_defaults()
    text = page.section("generate")
    assert f"--temp {temp:g}" in text and f" {max_tokens} " in text, (temp, max_tokens)
