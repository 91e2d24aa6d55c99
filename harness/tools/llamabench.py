"""How fast llama.cpp runs Qwen2-7B-Instruct on this machine's CPU, measured with llama-bench.

    nox -s bench -- --llamacpp      # (or python -m harness.tools.llamabench) writes the record

A GGUF file with the real model's tensor shapes and placeholder weights (harness/llamacpp.py
``shaped_gguf``: speed does not depend on the weights' values) is quantized to each type below by
llama-quantize, kept beside the llama.cpp build (outside the checkout, about 13 GB), and measured
by the page's llama-bench on the CPU: prompt processing and generation, in tokens per second. The
record, verified/llamacpp-speed.json, names the machine, the commit and the date; the llama.cpp
page shows it (harness/hooks/measured.py). Never run by the tests: its figures move with the
machine and its load.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import date
from pathlib import Path

from harness import llamacpp
from harness.site.paths import ROOT

RECORD = ROOT / "verified" / "llamacpp-speed.json"
TYPES = ("Q8_0", "Q4_K_M", "Q4_0")
# Shorter than llama-bench's defaults (-p 512 -n 128 -r 5), which take minutes per type on two
# cores; the rate per token is what is recorded.
PROMPT, GENERATE, REPEAT = 128, 32, 3


def cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def quantized(tree: Path, ftype: str) -> Path:
    """The shaped model in ``ftype``, made once per llama.cpp build."""
    folder = tree.parent / "bench"
    folder.mkdir(exist_ok=True)
    out = folder / f"qwen2-7b-shaped-{ftype.lower()}.gguf"
    if not out.exists():
        f16 = folder / "qwen2-7b-shaped-f16.gguf"
        if not f16.exists():
            llamacpp.shaped_gguf(f16)
        partial = out.with_suffix(".partial")
        quantize = [tree / "build" / "bin" / "llama-quantize", f16, partial, ftype]
        subprocess.run(quantize, check=True, capture_output=True)
        partial.rename(out)
    return out


def options() -> list[str]:
    """llama-bench's options here; weight repacking off on a CPU with AMX (llamacpp.has_amx)."""
    out = ["-p", str(PROMPT), "-n", str(GENERATE), "-r", str(REPEAT)]
    return out + (["--repack", "0"] if llamacpp.has_amx() else [])


def bench(tree: Path, model: Path) -> dict:
    argv = [tree / "build" / "bin" / "llama-bench", "-m", model, "-o", "json", *options()]
    done = subprocess.run(argv, check=True, capture_output=True, text=True)
    rows = json.loads(done.stdout)
    rate = {("prompt" if r["n_prompt"] else "generation"): r for r in rows}
    return {
        "size_gb": round(rows[0]["model_size"] / 1e9, 2),
        "threads": rows[0]["n_threads"],
        **{f"{k}_tps": round(r["avg_ts"], 2) for k, r in rate.items()},
        **{f"{k}_stddev": round(r["stddev_ts"], 2) for k, r in rate.items()},
    }


def measure(log=sys.stderr) -> dict:
    tree = llamacpp.ensure()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    runs = {}
    for ftype in TYPES:
        print(f"llama-bench: {ftype}", file=log, flush=True)
        runs[ftype] = bench(tree, quantized(tree, ftype))
    record = {
        "date": date.today().isoformat(),
        "commit": commit,
        "cpu": cpu_name(),
        "cores": os.cpu_count(),
        "llama_cpp": "==".join(llamacpp.LLAMACPP_SDIST) + " (vendor/llama.cpp)",
        "command": " ".join(["llama-bench", *options()]),
        "runs": runs,
    }
    RECORD.parent.mkdir(exist_ok=True)
    RECORD.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"llama-bench: wrote {RECORD.relative_to(ROOT)}", file=log)
    return record


if __name__ == "__main__":
    measure()
