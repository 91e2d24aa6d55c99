"""Measure build, verification and page-load figures and check them against budgets.

    nox -s bench                      # 5 runs of each, writes BENCHMARKS.md, exit 1 over budget
    python tests/bench.py --runs 3    # the same, fewer runs

Every figure is the median and spread (min-max) of several runs on the machine it runs on.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import importlib.metadata
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from harness import manifest, standin
from harness.servers import launch_chromium, static_site
from harness.site import ROOT, SITE

PY = sys.executable
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
BUDGETS = {
    "build, both languages": 5.0,
    "cpu tier (all but browser)": 40.0,
    "stand-in build from nothing": 30.0,
}
PAGE_BUDGET_BYTES, PAGE_BUDGET_DCL_MS, MIN_SPEEDUP = 400_000, 500.0, 5.0


def timed(cmd: list[str], runs: int, env: dict | None = None, setup=None) -> list[float]:
    times = []
    for _ in range(runs):
        if setup:
            setup()
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, env=env or ENV, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(
                f"failed: {' '.join(cmd)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
    return times


def fmt(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s ({min(times):.2f}-{max(times):.2f})"


def naive_scripts(tmp: Path) -> list[Path]:
    """The transformers snippets the snippet tests run on CPU, each as its own script.

    A snippet gets what it continues (snippets.toml) in front of it, as a reader pasting it into a
    fresh interpreter would need. Snippets the notebooks do not run (GPU only, a line to swap in,
    an older release, an event loop) are left out.
    """
    entries = manifest.manifest()
    out = []
    for n, (name, entry) in enumerate(entries.items()):
        if not name.startswith("transformers/") or not entry.is_python or entry.notebook:
            continue
        chain = [*manifest.chain(entries, name), name]
        code = "\n".join(SITE.snippet_text(s) for s in chain)
        path = tmp / f"naive_{n}.py"
        path.write_text(code, encoding="utf-8")
        out.append(path)
    return out


def page_metrics(site: Path) -> list[dict]:
    from playwright.sync_api import sync_playwright

    rows = []
    with static_site(site) as base, sync_playwright() as p:
        browser = launch_chromium(p)
        for page_doc in SITE.pages:
            dcl, load, requests = [], [], []
            for _ in range(5):
                context = browser.new_context()  # a first visit: empty cache
                page = context.new_page()
                seen: list[str] = []
                page.on("request", lambda r, seen=seen: seen.append(r.url))
                page.goto(base + page_doc.url, wait_until="load")
                nav = page.evaluate("performance.getEntriesByType('navigation')[0].toJSON()")
                dcl.append(nav["domContentLoadedEventEnd"])
                load.append(nav["loadEventEnd"])
                page.wait_for_timeout(300)  # late requests (search index, worker)
                requests.append(list(seen))
                context.close()
            urls = requests[-1]
            local = [u for u in urls if u.startswith(base)]
            size = 0
            for u in local:
                path = site / u[len(base) :].split("?")[0].split("#")[0]
                if path.is_dir() or not path.suffix:
                    path = path / "index.html"
                if path.is_file():
                    size += len(gzip.compress(path.read_bytes(), 6))
            rows.append(
                {
                    "page": page_doc.url or "/",
                    "requests": len(urls),
                    "off_host": len(urls) - len(local),
                    "gzip_bytes": size,
                    "dcl_ms": statistics.median(dcl),
                    "load_ms": statistics.median(load),
                }
            )
        browser.close()
    return rows


FRESH = "Fresh clone to green"


def lighthouse_section() -> str:
    """The Lighthouse section, which `python -m harness.lighthouse --benchmarks` writes; kept."""
    from harness.lighthouse import section

    old = ROOT / "BENCHMARKS.md"
    return section(old.read_text(encoding="utf-8") if old.exists() else "") or ""


def fresh_clone_line(tmp: Path, runs: int) -> str:
    """`git clone` of this checkout, then `CI=true bash .ci/run`, timed; or the last figure."""
    if not runs:
        old = ROOT / "BENCHMARKS.md"
        lines = old.read_text(encoding="utf-8").splitlines() if old.exists() else []
        return next((ln for ln in lines if ln.startswith(FRESH)), f"{FRESH}: not measured.")
    times = []
    for n in range(runs):
        clone = tmp / f"clone-{n}"
        start = time.perf_counter()
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NOX", "VIRTUAL_ENV"))}
        done = subprocess.run(["bash", ".ci/run"], cwd=clone, env={**env, "CI": "true"})
        times.append(time.perf_counter() - start)
        if done.returncode:
            raise SystemExit(f"fresh clone: .ci/run failed ({done.returncode})")
    return (
        f"{FRESH}: {fmt(times)} over {runs} run(s), `git clone` + `CI=true bash .ci/run` "
        f"(package caches warm, Chromium and fonts already installed), measured "
        f"{date.today().isoformat()}."
    )


def versions() -> str:
    names = ["transformers", "torch", "openai", "mkdocs", "mkdocs-material", "mkdocs-static-i18n"]
    return ", ".join(f"{n} {importlib.metadata.version(n)}" for n in names)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--fresh-clone",
        type=int,
        default=0,
        metavar="N",
        help="also time N runs of `git clone` + `CI=true bash .ci/run` (minutes each); without "
        "it, BENCHMARKS.md keeps the figure it has",
    )
    args = parser.parse_args()
    runs = args.runs
    results: dict[str, list[float]] = {}
    over: list[str] = []

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        site = tmp / "site"
        build = [PY, "-m", "mkdocs", "build", "--strict", "-q", "--site-dir", str(site)]
        results["build, both languages"] = timed(build, runs)
        results["build, English only"] = timed(build, runs, {**ENV, "DOCS_BUILD_ZH": "false"})
        timed(build, 1)

        home = standin.CACHE_ROOT / standin.cache_key()
        results["stand-in build from nothing"] = timed(
            [PY, "-m", "harness.standin", "--force"], runs
        )
        pytest = [PY, "-m", "pytest", "-q"]
        parts = {
            "snippets": ["tests/snippets/test_transformers.py"],
            "servers": ["tests/snippets/test_server.py"],
            "notebooks": ["notebooks"],
            "one snippet's test": [
                "tests/snippets/test_transformers.py::test_prints_the_output_shown_on_the_page[transformers/print_prompt.py]"
            ],
            "harness": ["tests/harness"],
            "integrity": ["tests/test_integrity.py", "tests/test_guards.py"],
            "site and workflows": ["tests/test_site.py", "tests/test_workflows.py"],
            "browser": ["tests/test_browser.py"],
        }
        for name, paths in parts.items():
            results[f"part: {name}"] = timed(pytest + paths, runs)
        results["cpu tier (all but browser)"] = timed(pytest + ["-m", "not browser"], runs)

        env = {**ENV, "HF_HOME": str(home), "HF_HUB_OFFLINE": "1"}
        scripts = naive_scripts(tmp)
        naive = []
        for _ in range(runs):
            naive.append(sum(timed([PY, str(s)], 1, env)[0] for s in scripts))
        results["naive: each snippet its own process"] = naive
        speedup = statistics.median(naive) / statistics.median(results["part: snippets"])

        fresh = fresh_clone_line(tmp, args.fresh_clone)
        pages = page_metrics(site)
        index = site / "search" / "search_index.json"
        index_size = (index.stat().st_size, len(gzip.compress(index.read_bytes(), 6)))

    for name, budget in BUDGETS.items():
        if statistics.median(results[name]) > budget:
            over.append(f"{name}: {statistics.median(results[name]):.2f} s > {budget:.0f} s")
    if speedup < MIN_SPEEDUP:
        over.append(f"snippets vs naive: {speedup:.1f}x < {MIN_SPEEDUP:.0f}x")
    for row in pages:
        if row["gzip_bytes"] > PAGE_BUDGET_BYTES:
            over.append(f"{row['page']}: {row['gzip_bytes']} B > {PAGE_BUDGET_BYTES} B")
        if row["off_host"]:
            over.append(f"{row['page']}: {row['off_host']} requests off the host")
        if row["dcl_ms"] > PAGE_BUDGET_DCL_MS:
            over.append(f"{row['page']}: DOMContentLoaded {row['dcl_ms']:.0f} ms > 500 ms")

    lines = [
        "# Benchmarks",
        "",
        f"Written by `nox -s bench` on {date.today().isoformat()}: {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; {versions()}.",
        f"Each figure: median (min-max) of {runs} runs.",
        "",
        "| What | Time | Budget |",
        "| --- | --- | --- |",
    ]
    for name, times in results.items():
        budget = BUDGETS.get(name)
        lines.append(f"| {name} | {fmt(times)} | {f'{budget:.0f} s' if budget else ''} |")
    lines.append(
        f"| snippets vs naive (ratio of medians) | {speedup:.1f}x | at least {MIN_SPEEDUP:.0f}x |"
    )
    lines += [
        "",
        "| Page | Requests | Off host | Transferred (gzip) | DOMContentLoaded | Load |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in pages:
        lines.append(
            f"| `{r['page']}` | {r['requests']} | {r['off_host']} "
            f"| {r['gzip_bytes'] / 1000:.0f} kB | {r['dcl_ms']:.0f} ms | {r['load_ms']:.0f} ms |"
        )
    lines += [
        "",
        f"Search index: {index_size[0] / 1000:.0f} kB ({index_size[1] / 1000:.0f} kB gzip), "
        "fetched by the search worker after the page loads.",
        "",
        fresh,
        "",
        "gpu tier: not run (no GPU here). Run `nox -s gpu` on a GPU machine.",
        "",
        "Over budget: " + ("; ".join(over) if over else "nothing."),
        "",
        lighthouse_section(),
    ]
    (ROOT / "BENCHMARKS.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 1 if over else 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(main())
