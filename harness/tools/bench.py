"""Measure build, verification and page-load figures against their budgets; write BENCHMARKS.md.

    nox -s bench                      # 3 runs of each, writes BENCHMARKS.md, exit 1 over budget
    nox -s bench -- --runs 5          # more runs
    nox -s bench -- --fresh-clone 3   # also time `git clone` + `CI=true bash .ci/run`
    nox -s bench -- --llamacpp        # llama.cpp's speed on the model's shapes, its own record

Every figure is the median and spread (min-max) of several runs on the machine it runs on. Figures
that move with the machine's load (seconds, Lighthouse performance) live here and never in a
pass/fail test; Lighthouse performance is given against a baseline measured in the same run (the
same page without code annotations), so that it means something on any machine.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import importlib.metadata
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from harness.processes import fresh_site, mkdocs_build
from harness.site.paths import MKDOCS_ENV, ROOT
from harness.tools import fresh_clone, lighthouse, llamabench, pageloads

PY = sys.executable
ENV = {**os.environ, **MKDOCS_ENV}
CPU_TIER_NAME = "cpu tier: pytest -m 'not browser' -n auto --dist loadgroup, without tests/harness"
# What a maintainer waits for, and how long at most (seconds).
BUDGETS = {
    "build, both languages": 5.0,
    "stand-in build from nothing": 30.0,
    CPU_TIER_NAME: 45.0,
    "one snippet's checks: pytest snippets/snippets.toml -k print_prompt": 10.0,
    "fresh clone to green": 240.0,
}
# This benchmark's own budget, without the fresh clones it may be asked for (seconds).
BENCH_BUDGET = 300.0
ONE_SNIPPET = ["snippets/snippets.toml", "-k", "print_prompt"]
CPU_TIER = ["-m", "not browser", "-n", "auto", "--dist", "loadgroup", "--ignore=tests/harness"]
# Lighthouse performance: the page with the most code annotations (about 25 s an audit here).
PERFORMANCE_PAGES = ["chat/"]
# A page's blocking time may be this many times its baseline's (the same page without code
# annotations) before the benchmark calls it over budget.
MAX_TBT_RATIO = 4.0
PAGE_BUDGET_BYTES = 400_000


def clean_env() -> dict[str, str]:
    return {**fresh_clone.clean_env(), **MKDOCS_ENV}


def log(what: str) -> None:
    print(f"bench: {what}", file=sys.stderr, flush=True)


def timed(cmd: list[str], runs: int, env: dict | None = None, cwd: Path = ROOT) -> list[float]:
    log(" ".join(cmd[:8]))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=cwd, env=env or ENV, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(
                f"failed: {' '.join(cmd)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
    return times


def fmt(values: list[float], unit: str = " s", digits: int = 2) -> str:
    """Median (min-max), e.g. "6.69 s (5.85-7.35)"."""
    med, low, high = statistics.median(values), min(values), max(values)
    return f"{med:.{digits}f}{unit} ({low:.{digits}f}-{high:.{digits}f})"


# A fixed piece of work on one core, timed before each cpu-tier run: how fast the machine runs in
# that hour (on a shared host it moves by a quarter or more), so that two benchmarks' cpu-tier
# figures can be compared through their ratio to it.
REFERENCE = [PY, "-c", "sum(i * i for i in range(20_000_000))"]


def machine_cpu_seconds() -> float | None:
    """CPU time the whole machine has spent working (user, nice, system, irq, softirq), from
    /proc/stat; None where there is none."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = map(int, fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


@dataclass
class CpuTier:
    """Per run of the cpu tier: its time, the CPU the machine spent during it (empty where
    /proc/stat is missing), and the reference work's time just before it."""

    totals: list[float] = field(default_factory=list)
    machine_cpu: list[float] = field(default_factory=list)
    reference: list[float] = field(default_factory=list)

    def rows(self) -> list[tuple[str, str]]:
        """The rows under the cpu tier's line in BENCHMARKS.md."""
        rows = []
        if self.machine_cpu:
            rows.append(
                (
                    "CPU time the machine spent during it (both cores; 80 s fills them for 40 s)",
                    fmt(self.machine_cpu),
                )
            )
        ratios = [t / r for t, r in zip(self.totals, self.reference, strict=True)]
        return rows + [
            ("reference: a fixed Python loop on one core, just before it", fmt(self.reference)),
            (
                "the cpu tier's time over the reference's (compares benchmarks of different hours)",
                fmt(ratios, "x", 1),
            ),
        ]


def cpu_tier(runs: int) -> CpuTier:
    tier = CpuTier()
    for _ in range(runs):
        tier.reference += timed(REFERENCE, 1)
        before = machine_cpu_seconds()
        tier.totals += timed([PY, "-m", "pytest", "-q", *CPU_TIER], 1)
        after = machine_cpu_seconds()
        if before is not None and after is not None:
            tier.machine_cpu.append(after - before)
    return tier


def versions() -> str:
    names = ["transformers", "torch", "openai", "mkdocs", "mkdocs-material", "mkdocs-static-i18n"]
    return ", ".join(f"{n} {importlib.metadata.version(n)}" for n in names)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--fresh-clone",
        type=int,
        default=0,
        metavar="N",
        help="also time N runs of `git clone` + `CI=true bash .ci/run` (minutes each)",
    )
    parser.add_argument(
        "--busy",
        type=int,
        default=0,
        metavar="K",
        help="with --fresh-clone: also run it N times while K busy loops hold K cores (it must "
        "pass; its time is reported, not judged)",
    )
    parser.add_argument(
        "--llamacpp",
        action="store_true",
        help="only measure llama.cpp's speed on the model's shapes and write its record "
        "(harness/tools/llamabench.py; minutes, about 13 GB beside the llama.cpp build)",
    )
    args = parser.parse_args()
    if args.llamacpp:
        llamabench.measure()
        return 0
    runs = args.runs
    results: dict[str, list[float]] = {}
    started = time.perf_counter()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        site = tmp / "site"
        results["build, both languages"] = timed([*mkdocs_build(site), "-q"], runs)
        results["stand-in build from nothing"] = timed(
            [PY, "-m", "harness.qwen2.standin", "--scratch"], runs
        )
        cpu_name = CPU_TIER_NAME
        tier = cpu_tier(runs)
        results[cpu_name] = tier.totals
        nox = [shutil.which("nox") or "nox", "-s", "tests", "--", *ONE_SNIPPET]
        results["one snippet's checks: pytest snippets/snippets.toml -k print_prompt"] = timed(
            nox, runs, clean_env()
        )
        clones = 0.0  # seconds of fresh clones, which the benchmark's own budget leaves out
        if args.fresh_clone:
            clones_started = time.perf_counter()
            results["fresh clone to green"] = fresh_clone.times(tmp, args.fresh_clone)
            if args.busy:
                results[f"fresh clone to green, {args.busy} cores held by busy loops"] = (
                    fresh_clone.times(tmp, args.fresh_clone, args.busy)
                )
            clones = time.perf_counter() - clones_started
        log("page loads")
        with fresh_site() as (base, served):
            pages = pageloads.page_metrics(base, served, runs)
            index = served / "search" / "search_index.json"
            index_size = (index.stat().st_size, len(gzip.compress(index.read_bytes(), 6)))
        log("Lighthouse performance")
        perf = lighthouse.performance(PERFORMANCE_PAGES, runs)

    took = time.perf_counter() - started
    own = took - clones
    over: list[str] = []
    if own > BENCH_BUDGET:
        over.append(f"this benchmark without its fresh clones: {own:.0f} s > {BENCH_BUDGET:.0f} s")
    for name, budget in BUDGETS.items():
        if name in results and statistics.median(results[name]) > budget:
            over.append(f"{name}: {statistics.median(results[name]):.2f} s > {budget:.0f} s")
    perf_rows = []
    for url in PERFORMANCE_PAGES:
        page, base = perf[f"{url}|page"], perf[f"{url}|baseline"]
        tbt, tbt_base = statistics.median(page["tbt_ms"]), statistics.median(base["tbt_ms"])
        ratio = tbt / max(tbt_base, 1.0)
        perf_rows.append((url, page, base, ratio))
        if ratio > MAX_TBT_RATIO:
            over.append(f"/{url} blocking time {ratio:.1f}x its baseline > {MAX_TBT_RATIO:.0f}x")
    over += pageloads.problems(pages, PAGE_BUDGET_BYTES)

    lines = [
        "# Benchmarks",
        "",
        f"Written by `nox -s bench` on {date.today().isoformat()} in {took:.0f} s ("
        + (f"{own:.0f} s without its fresh clones; " if clones else "")
        + f"budget {BENCH_BUDGET:.0f} s without fresh clones): {platform.machine()}, "
        f"{os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {versions()}; Lighthouse {lighthouse.version()}.",
        f"Each figure: median (min-max) of {runs} runs.",
        "",
        "| What | Time | Budget |",
        "| --- | --- | --- |",
    ]
    for name, times in results.items():
        budget = BUDGETS.get(name)
        lines.append(f"| {name} | {fmt(times)} | {f'{budget:.0f} s' if budget else ''} |")
        if name == cpu_name:
            lines += [f"| &nbsp;&nbsp;{what} | {shown} | |" for what, shown in tier.rows()]
    if not args.fresh_clone:
        lines += [
            "",
            "Fresh clone to green: not measured in this run (`nox -s bench -- --fresh-clone 3`).",
        ]
    lines += [
        "",
        "Lighthouse performance (mobile settings, light palette), each page beside its baseline: "
        "the same page built in the same run with Material's code annotations switched off. "
        f"Budget: blocking time at most {MAX_TBT_RATIO:.0f}x the baseline's.",
        "",
        "| Page | Score | Baseline score | Blocking time | Baseline blocking time | Ratio |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for url, page, base, ratio in perf_rows:
        lines.append(
            f"| `/{url}` | {statistics.median(page['score']):.0f} ({min(page['score'])}-"
            f"{max(page['score'])}) | {statistics.median(base['score']):.0f} "
            f"({min(base['score'])}-{max(base['score'])}) "
            f"| {statistics.median(page['tbt_ms']):.0f} ms | "
            f"{statistics.median(base['tbt_ms']):.0f} ms | {ratio:.1f}x |"
        )
    lines += ["", *pageloads.report(pages, index_size), ""]
    lines += [
        "gpu tier: not measured here (no GPU). Run `nox -s gpu` on a GPU machine.",
        "",
        "Over budget: " + ("; ".join(over) if over else "nothing."),
        "",
    ]
    (ROOT / "BENCHMARKS.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 1 if over else 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(main())
