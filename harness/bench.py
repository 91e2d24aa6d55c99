"""Measure build, verification and page-load figures and check them against budgets.

    nox -s bench                      # 5 runs of each, writes BENCHMARKS.md, exit 1 over budget
    python tests/bench.py --runs 3    # the same, fewer runs

Every figure is the median and spread (min-max) of several runs on the machine it runs on.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import importlib.metadata
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import docsite  # noqa: E402
import standin  # noqa: E402

PY = sys.executable
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
BUDGETS = {
    "build, both languages": 5.0,
    "cpu tier (all but browser)": 60.0,
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
    """The Python snippets that tests/test_transformers.py runs, each as its own script.

    A snippet that continues the basic example gets that example in front of it, as a reader
    pasting it into a fresh interpreter would need. Flash Attention 2 (GPU only) and the
    ModelScope import (needs modelscope.cn) are left out, as they cannot run here on their own.
    """
    base = (docsite.SNIPPETS / "transformers/generate.py").read_text(encoding="utf-8")
    standalone = {"transformers/generate.py", "transformers/load_before_4_56.py"}
    skip = {"transformers/flash_attention.py", "transformers/modelscope_import.py"}
    out = []
    for n, snippet in enumerate(docsite.snippet_files()):
        if not (snippet.startswith("transformers/") and snippet.endswith(".py")) or snippet in skip:
            continue
        code = (docsite.SNIPPETS / snippet).read_text(encoding="utf-8")
        path = tmp / f"naive_{n}.py"
        path.write_text(code if snippet in standalone else base + "\n" + code, encoding="utf-8")
        out.append(path)
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def page_metrics(site: Path) -> list[dict]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    rows = []
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for page_doc in docsite.pages():
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
    server.shutdown()
    return rows


def versions() -> str:
    names = ["transformers", "torch", "openai", "mkdocs", "mkdocs-material", "mkdocs-static-i18n"]
    return ", ".join(f"{n} {importlib.metadata.version(n)}" for n in names)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
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
            [PY, str(HERE / "standin.py"), "--force"], runs
        )
        pytest = [PY, "-m", "pytest", "-q", "-p", "no:randomly"]
        parts = {
            "snippets": ["tests/test_transformers.py"],
            "servers": ["tests/test_server.py"],
            "notebooks": ["notebooks"],
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
        "gpu tier: not run (no GPU here). Run `nox -s gpu` on a GPU machine.",
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
