"""Every nox session installs what it runs, so each works on a fresh clone by itself.

Read from noxfile.py's source (nox need not be installed here): a session that runs pytest or the
benchmarks installs the whole test environment (actionlint included), one that runs mkdocs or a
harness module installs the harness, one that runs ruff installs the lint group.
"""

from __future__ import annotations

import ast

import pytest

from harness.site.paths import ROOT

TREE = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
FUNCS = {f.name: f for f in TREE.body if isinstance(f, ast.FunctionDef)}
SESSIONS = {
    name: f
    for name, f in FUNCS.items()
    if any("nox.session" in ast.unparse(d) for d in f.decorator_list)
}


def calls(func: ast.FunctionDef, seen=()) -> set[str]:
    """Every function called from ``func``, following the noxfile's own helpers."""
    out = set()
    for node in ast.walk(func):
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            out.add(name)
            if name in FUNCS and name not in seen:
                out |= calls(FUNCS[name], (*seen, name))
    return out


def runs(func: ast.FunctionDef) -> set[str]:
    """The first argument of every session.run(...) in the session and its helpers."""
    out = set()
    for f in [func, *(FUNCS[c] for c in calls(func) if c in FUNCS)]:
        for node in ast.walk(f):
            if (
                isinstance(node, ast.Call)
                and ast.unparse(node.func) == "session.run"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                args = [a.value for a in node.args if isinstance(a, ast.Constant)]
                # pytest given a list of test paths runs part of the suite
                part = any(ast.unparse(a) == "*paths" for a in node.args)
                out.add(" ".join(map(str, args[:3])) + (" <paths>" if part else ""))
    return out


def test_the_sessions_are_found():
    assert {"tests", "oldest", "docs", "serve", "gpu", "bench", "notebooks"} <= set(SESSIONS)


@pytest.mark.parametrize("name", sorted(SESSIONS))
def test_session_installs_what_it_runs(name):
    func = SESSIONS[name]
    called, ran = calls(func), runs(func)
    problems = []
    whole_suite = "pytest" in ran
    if whole_suite or any("harness.tools.bench" in r for r in ran):
        if "install_test_env" not in called:
            problems.append("runs the whole suite but does not call install_test_env")
    if any(r.startswith("pytest") for r in ran) and not (
        "install_test_env" in called or "install_harness" in called
    ):
        problems.append("runs pytest without the harness (install_harness)")
    if any(r.startswith("mkdocs") or "harness." in r for r in ran):
        if "install_harness" not in called and "install_test_env" not in called:
            problems.append("runs mkdocs or a harness module without installing the harness")
    if any(r.startswith("ruff") for r in ran) and not {"install", "install_test_env"} & called:
        problems.append("runs ruff without installing the lint group")
    assert not problems, f"nox session {name!r}: " + "; ".join(problems)


def test_the_test_env_installs_the_node_tools_and_the_harness():
    called = calls(FUNCS["install_test_env"])
    assert {"start_node_tools", "install_harness"} <= called
