"""The harness's imports go one way, as harness/README.md says: each part imports only the parts
on the layers below it (and its own modules), lazy imports inside functions included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from harness.site.paths import ROOT

# Bottom to top; the parts on one layer do not import each other.
LAYERS = (
    {"site/paths"},
    {"qwen2", "site"},
    {"processes", "browser", "llamacpp"},
    {"suite", "hooks", "tools"},
)
LAYER = {part: n for n, parts in enumerate(LAYERS) for part in parts}


def part(module: str) -> str | None:
    """The part a dotted module name of the harness belongs to; None outside the harness."""
    names = module.split(".")
    if names[0] != "harness" or len(names) < 2:
        return None
    return "site/paths" if names[1:3] == ["site", "paths"] else names[1]


def imported(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, dotted name) of every module an import statement names: `from harness.site import
    paths` imports harness.site.paths (the package itself only hands it on)."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if not (ROOT / node.module.replace(".", "/")).is_dir():
                out.append((node.lineno, node.module))
            out += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return out


def crossings(source: str, module: str) -> list[str]:
    """The imports of ``module`` (its source given) that go against LAYERS."""
    here = part(module)
    bad = {}
    for line, name in imported(ast.parse(source)):
        there = part(name)
        if there in (None, here) or (here == "site" and there == "site/paths"):
            continue
        if there in LAYER and LAYER[there] < LAYER[here]:
            continue
        bad.setdefault(
            (line, there), f"line {line}: {name} ({here} may import only the layers below it)"
        )
    return list(bad.values())


def modules() -> list[Path]:
    return sorted((ROOT / "harness").rglob("*.py"))


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_imports_go_one_way(path):
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    assert part(module) in LAYER or module == "harness.__init__", f"{path}: in no layer"
    if module != "harness.__init__":
        bad = crossings(path.read_text(encoding="utf-8"), module)
        assert not bad, f"{path.relative_to(ROOT)}: " + "; ".join(bad)


def test_an_import_up_or_across_is_caught():
    assert crossings("def f():\n    from harness import llamacpp\n", "harness.qwen2.memory") == [
        "line 2: harness.llamacpp (qwen2 may import only the layers below it)"
    ]
    assert crossings("from harness.site.pages import SITE\n", "harness.qwen2.facts")
    assert crossings("from harness.suite import plugin\n", "harness.tools.bench")
    assert not crossings("from harness.site.paths import ROOT\n", "harness.qwen2.standin")
    assert not crossings("from harness.site import paths\n", "harness.qwen2.standin")
