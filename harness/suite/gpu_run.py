"""The gpu tier's record (harness/site/gpu_record.py): what it ran, where and with what.

The plugin collects each snippet test's outcome and, at the end of a whole `--gpu` run, writes
verified/gpu.json with the commit, the date, the GPU, its driver and CUDA, the versions of torch,
transformers, vLLM and flash-attn, and each snippet's result. On a machine without CUDA the GPU
fields are null (the writer's own tests run it that way).
"""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import shutil
import subprocess
from pathlib import Path

from harness.site.gpu_record import RECORD, GpuRecord, SnippetResult
from harness.site.paths import ROOT


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _vllm_version() -> str | None:
    """vLLM lives in its own environment (VLLM names its executable)."""
    vllm = os.environ.get("VLLM") or shutil.which("vllm")
    if not vllm:
        return None
    python = Path(vllm).with_name("python")
    done = subprocess.run(
        [str(python), "-c", "import vllm; print(vllm.__version__)"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def gpu() -> dict | None:
    """The GPU the run used, or None without CUDA."""
    import torch

    if not torch.cuda.is_available():
        return None
    props = torch.cuda.get_device_properties(0)
    driver = None
    if shutil.which("nvidia-smi"):
        done = subprocess.run(
            ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
        )
        driver = done.stdout.splitlines()[0].strip() if done.returncode == 0 else None
    return {
        "name": props.name,
        "count": torch.cuda.device_count(),
        "capability": f"{props.major}.{props.minor}",
        "memory_gib": round(props.total_memory / (1 << 30), 1),
        "driver": driver,
        "cuda": torch.version.cuda,
    }


def versions() -> dict[str, str | None]:
    return {
        "torch": _version("torch"),
        "transformers": _version("transformers"),
        "vllm": _vllm_version(),
        "flash-attn": _version("flash-attn") or _version("flash_attn"),
    }


def commit() -> str:
    done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def results(outcomes: dict[str, list[tuple[str, str, str]]]) -> dict[str, SnippetResult]:
    """Each snippet's result from its tests' (test, outcome, reason): failed if any failed,
    passed if any passed, else skipped."""
    out = {}
    for snippet, tests in outcomes.items():
        names = tuple(t for t, _, _ in tests)
        by = {o: r for _, o, r in tests}
        for result in ("failed", "passed", "skipped"):
            if result in by:
                out[snippet] = SnippetResult(result, names, by[result])
                break
    return out


def write(
    outcomes: dict[str, list[tuple[str, str, str]]], weights: str, path: Path = RECORD
) -> GpuRecord:
    record = GpuRecord(
        commit=commit(),
        date=datetime.date.today().isoformat(),
        weights=weights,
        gpu=gpu(),
        versions=versions(),
        snippets=results(outcomes),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(record.to_json(), encoding="utf-8")
    return record
