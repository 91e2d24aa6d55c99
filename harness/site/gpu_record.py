"""verified/gpu.json: the record of the last gpu-tier run, the only source of what the pages say
about blocks that need an NVIDIA GPU.

A gpu-tier run (`nox -s gpu`, real weights or `--standin`) writes it (harness/suite/gpu_run.py);
a maintainer commits it after a run on a GPU machine; nothing else writes it. The MkDocs hook shows
it on every GPU-only block ("not yet run on a GPU" without a record) and in the verified-versions
table; tests/test_site.py checks the built pages against it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from harness.site.paths import ROOT

RECORD_PATH = "verified/gpu.json"  # relative to the repository
RECORD = ROOT / RECORD_PATH
FORMAT = 1
RESULTS = ("passed", "failed", "skipped")
# The packages whose versions the record proves, when it has them (None: not installed).
PACKAGES = ("torch", "transformers", "vllm", "flash-attn")
GPU_FIELDS = ("name", "count", "capability", "memory_gib", "driver", "cuda")


class RecordError(ValueError):
    pass


@dataclass(frozen=True)
class SnippetResult:
    result: str  # passed, failed or skipped
    tests: tuple[str, ...] = ()
    reason: str = ""  # why it was skipped or how it failed (first line)


@dataclass(frozen=True)
class GpuRecord:
    commit: str
    date: str  # YYYY-MM-DD
    weights: str  # "real" (Qwen/Qwen2-7B-Instruct from the hub) or "stand-in"
    gpu: dict | None  # None: the run had no GPU (the writer's own tests on a CPU)
    versions: dict[str, str | None]
    snippets: dict[str, SnippetResult] = field(default_factory=dict)

    def result(self, snippet: str) -> SnippetResult | None:
        return self.snippets.get(snippet)

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "commit": self.commit,
            "date": self.date,
            "weights": self.weights,
            "gpu": self.gpu,
            "versions": self.versions,
            "snippets": {
                name: {"result": r.result, "tests": list(r.tests), "reason": r.reason}
                for name, r in sorted(self.snippets.items())
            },
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def problems(data: dict) -> list[str]:
    """What is wrong with a record's JSON, each naming the field."""
    out = []
    if data.get("format") != FORMAT:
        out.append(f"format: {data.get('format')!r}, expected {FORMAT}")
    for key in ("commit", "date", "weights"):
        if not isinstance(data.get(key), str) or not data.get(key):
            out.append(f"{key}: missing or not a string")
    if data.get("weights") not in ("real", "stand-in"):
        out.append(f"weights: {data.get('weights')!r}, expected 'real' or 'stand-in'")
    gpu = data.get("gpu")
    if gpu is not None and (not isinstance(gpu, dict) or set(gpu) != set(GPU_FIELDS)):
        out.append(f"gpu: expected null or the fields {list(GPU_FIELDS)}")
    versions = data.get("versions")
    if not isinstance(versions, dict) or set(versions) != set(PACKAGES):
        out.append(f"versions: expected the packages {list(PACKAGES)}")
    snippets = data.get("snippets")
    if not isinstance(snippets, dict):
        out.append("snippets: missing")
        snippets = {}
    for name, r in snippets.items():
        if not isinstance(r, dict) or r.get("result") not in RESULTS:
            out.append(f"snippets[{name!r}]: result must be one of {list(RESULTS)}")
    return out


def parse(text: str, where: str = str(RECORD)) -> GpuRecord:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as bad:
        raise RecordError(f"{where}: not JSON: {bad}") from None
    found = problems(data) if isinstance(data, dict) else ["not a JSON object"]
    if found:
        raise RecordError(f"{where}: " + "; ".join(found))
    snippets = {
        name: SnippetResult(r["result"], tuple(r.get("tests", ())), r.get("reason", ""))
        for name, r in data["snippets"].items()
    }
    return GpuRecord(
        data["commit"], data["date"], data["weights"], data["gpu"], data["versions"], snippets
    )


def read(path: Path = RECORD) -> GpuRecord | None:
    """The committed record, or None where no GPU run has been recorded."""
    if not path.is_file():
        return None
    return parse(path.read_text(encoding="utf-8"), str(path))
