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
import os
import re
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
TOOLS = ("llama-server", "llama-cli", "llama-quantize", "llama-bench")


def has_amx() -> bool:
    """Whether this CPU has Intel AMX, where the bundled llama.cpp's AMX path died with SIGILL
    (`tilezero`, in ggml_backend_amx_mul_mat) serving the Q4_K_M file: its programs then run
    with weight repacking off."""
    cpuinfo = Path("/proc/cpuinfo")
    return cpuinfo.exists() and " amx_tile" in cpuinfo.read_text()


def environment() -> dict[str, str]:
    """The environment llama.cpp's programs run in: this process's, with weight repacking off
    (LLAMA_ARG_REPACK, the env form of --no-repack) on a CPU with AMX (has_amx)."""
    return {**os.environ, **({"LLAMA_ARG_REPACK": "0"} if has_amx() else {})}


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


def shaped_gguf(path: Path) -> Path:
    """A 16-bit GGUF file with Qwen2-7B-Instruct's hyperparameters and every tensor at its real
    shape (from its config.json on PyTorch's meta device, named as llama.cpp's converter names
    them), its data left as a hole in a sparse file: 15 GB long, a few KB on disk. A vocabulary of
    placeholder tokens of the real size lets llama.cpp load it: llama-quantize computes the
    sizes of the real model from it, llama-bench its speed (which does not depend on the values)."""
    import numpy as np

    from harness.qwen2.facts import MODEL_CONFIG as C
    from harness.qwen2.shapes import meta_model

    sys.path.insert(0, str(ensure() / "gguf-py"))
    try:
        import gguf
    finally:
        sys.path.pop(0)
    n, vocab = C["num_hidden_layers"], C["vocab_size"]
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.QWEN2, n)
    w = gguf.GGUFWriter(path, "qwen2")
    w.add_block_count(n)
    w.add_context_length(C["max_position_embeddings"])
    w.add_embedding_length(C["hidden_size"])
    w.add_feed_forward_length(C["intermediate_size"])
    w.add_head_count(C["num_attention_heads"])
    w.add_head_count_kv(C["num_key_value_heads"])
    w.add_rope_freq_base(C["rope_theta"])
    w.add_layer_norm_rms_eps(C["rms_norm_eps"])
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    w.add_tokenizer_model("llama")
    w.add_token_list([f"<t{i}>" for i in range(vocab)])
    w.add_token_scores([0.0] * vocab)
    w.add_token_types([1] * vocab)
    for name, p in meta_model().named_parameters():
        gguf_name = names.get_name(name, try_suffixes=(".weight", ".bias"))
        assert gguf_name, f"no GGUF name for {name}"
        matrix = p.dim() == 2  # the converter keeps matrices in 16 bits, vectors in 32
        dtype = np.dtype(np.float16 if matrix else np.float32)
        raw = gguf.GGMLQuantizationType.F16 if matrix else gguf.GGMLQuantizationType.F32
        w.add_tensor_info(gguf_name, list(p.shape), dtype, p.numel() * dtype.itemsize, raw)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    out = w.fout[0]
    align = w.data_alignment
    data = sum(t.nbytes + (-t.nbytes % align) for t in w.tensors[0].values())
    out.truncate(out.tell() + (-out.tell() % align) + data)
    w.close()
    return path


def quantized_size(gguf: Path, ftype: str) -> tuple[float, str]:
    """llama-quantize --dry-run on ``gguf`` (a shaped_gguf file): the weights' size in bytes at
    ``ftype`` and its bits per weight, by llama.cpp's own rules for which tensor gets which type."""
    done = subprocess.run(
        [ensure() / "build" / "bin" / "llama-quantize", "--dry-run", gguf, ftype],
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"quant size\s*=\s*([\d.]+) MiB \(([\d.]+) BPW\)", done.stdout + done.stderr)
    if done.returncode or not found:
        raise RuntimeError(
            f"llama-quantize --dry-run {ftype}: {(done.stdout + done.stderr)[-2000:]}"
        )
    return float(found[1]) * 2**20, found[2]


if __name__ == "__main__":
    start = time.perf_counter()
    if "--where" in sys.argv:
        print(tree())
        sys.exit(0)
    print(ensure(), f"({time.perf_counter() - start:.0f} s)")
