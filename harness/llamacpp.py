"""llama.cpp, built the way the llama.cpp page builds it, for the suite to run the page's commands.

The page clones llama.cpp from GitHub, which this suite cannot reach. The same source is on PyPI:
the ``llama-cpp-python`` sdist bundles llama.cpp at a fixed commit in ``vendor/llama.cpp``, with
``convert_hf_to_gguf.py`` and its own ``gguf-py``. ``ensure()`` downloads that sdist (checked
against PyPI's sha256), unpacks it and runs the page's build commands (``snippets/llamacpp/
build.sh`` after its ``git clone`` and ``cd`` lines) in it, verbatim. The build takes about 10
minutes on two cores, so it lives outside the checkout, like a package cache, keyed by the sdist
and the page's build commands: a fresh clone on the same machine reuses it.

Run ``python -m harness.llamacpp`` to build it ahead of the tests (``nox -s tests`` does).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

from harness.site import shell
from harness.site.paths import LLAMACPP_HOME, LLAMACPP_SDIST, LLAMACPP_SDIST_SHA256, ROOT

BUILD_SNIPPET = ROOT / "snippets" / "llamacpp" / "build.sh"
# What the page does before building, which the suite does with the sdist instead.
CLONE_LINES = ("git clone https://github.com/ggml-org/llama.cpp", "cd llama.cpp")
TOOLS = ("llama-server", "llama-cli", "llama-quantize")


def build_commands() -> str:
    """The page's build commands, less the clone and the cd that the sdist replaces."""
    lines = BUILD_SNIPPET.read_text(encoding="utf-8").splitlines()
    head = tuple(ln.split("#")[0].strip() for ln in lines[: len(CLONE_LINES)])
    if head != CLONE_LINES:
        raise SystemExit(
            f"{BUILD_SNIPPET.relative_to(ROOT)}: expected its first lines to be "
            f"{CLONE_LINES}, found {head}: harness/llamacpp.py replaces exactly those"
        )
    return "\n".join(lines[len(CLONE_LINES) :]) + "\n"


def tree() -> Path:
    """Where the built llama.cpp tree is (or will be) for the current sdist and build commands
    (as the shell reads them: a change to their comments or line breaks builds nothing)."""
    name, version = LLAMACPP_SDIST
    commands = [" ".join(words) for words in shell.commands(build_commands())]
    key = hashlib.sha256("\n".join([f"{name}=={version}", *commands]).encode()).hexdigest()[:12]
    return LLAMACPP_HOME / f"{version}-{key}" / "llama.cpp"


def download_sdist(dest: Path) -> Path:
    """The sdist from PyPI's simple index (JSON form), checked against the pinned sha256."""
    name, version = LLAMACPP_SDIST
    request = urllib.request.Request(
        f"https://pypi.org/simple/{name}/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    with urllib.request.urlopen(request, timeout=60) as r:
        files = json.load(r)["files"]
    filename = f"{name.replace('-', '_')}-{version}.tar.gz"
    (url,) = [f["url"] for f in files if f["filename"] == filename]
    path = dest / filename
    with urllib.request.urlopen(url, timeout=600) as r, open(path, "wb") as out:
        shutil.copyfileobj(r, out)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != LLAMACPP_SDIST_SHA256:
        raise SystemExit(f"{filename}: sha256 {digest}, expected {LLAMACPP_SDIST_SHA256}")
    return path


def ensure(log=sys.stderr) -> Path:
    """The built llama.cpp tree (``build/bin`` holds the tools); built once, safe across
    processes."""
    import fcntl

    home = tree()
    done = home.parent / ".complete"
    if done.exists():
        return home
    home.parent.mkdir(parents=True, exist_ok=True)
    with open(home.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            return home
        start = time.monotonic()
        shutil.rmtree(home, ignore_errors=True)
        work = home.parent / "unpack"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        print(f"llama.cpp: downloading {'=='.join(LLAMACPP_SDIST)} from PyPI", file=log)
        with tarfile.open(download_sdist(work)) as tar:
            tar.extractall(work, filter="data")
        (vendored,) = work.glob("*/vendor/llama.cpp")
        vendored.rename(home)
        shutil.rmtree(work)
        print(f"llama.cpp: building in {home} (about 10 minutes on two cores)", file=log)
        out = home.parent / "build.log"
        with open(out, "wb") as f:
            built = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", build_commands()],
                cwd=home,
                stdout=f,
                stderr=subprocess.STDOUT,
                check=False,
            )
        missing = [t for t in TOOLS if not (home / "build" / "bin" / t).is_file()]
        if built.returncode or missing:
            raise SystemExit(
                f"{BUILD_SNIPPET.relative_to(ROOT)}: the build exited {built.returncode}"
                f" (missing: {', '.join(missing) or 'nothing'}); its log: {out}"
            )
        done.write_text(f"built in {time.monotonic() - start:.0f} s\n")
    return home


if __name__ == "__main__":
    start = time.perf_counter()
    if "--where" in sys.argv:
        print(tree())
        sys.exit(0)
    print(ensure(), f"({time.perf_counter() - start:.0f} s)")
