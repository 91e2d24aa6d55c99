"""Page loads in headless Chromium for the benchmark (harness/tools/bench.py): requests, bytes
and load times of each page of the built site, every load a first visit."""

from __future__ import annotations

import gzip
import statistics
from pathlib import Path

from harness.browser import first_visit_next, launch_chromium
from harness.site.pages import SITE


def page_metrics(base: str, site: Path, loads: int) -> list[dict]:
    """Requests, bytes and load times of each page of ``site``, served at ``base``. Every load
    is a first visit as far as the network goes: the HTTP cache is off and the site's storage
    cleared before it. The loads share one tab (a new browser context for each load doubled the
    time this takes, starting a renderer each time), so the renderer is a warm one."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        context = browser.new_context()
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")  # without it, Chromium ignores the next command
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        seen: list[str] = []
        page.on("request", lambda r: seen.append(r.url))
        for page_doc in SITE.pages:
            dcl, load = [], []
            for _ in range(loads):
                first_visit_next(page, cdp, base.rstrip("/"))
                seen.clear()
                page.goto(base + page_doc.url, wait_until="load")
                nav = page.evaluate("performance.getEntriesByType('navigation')[0].toJSON()")
                dcl.append(nav["domContentLoadedEventEnd"])
                load.append(nav["loadEventEnd"])
            page.wait_for_timeout(300)  # the last load's late requests (search index, worker)
            urls = list(seen)
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


def problems(rows: list[dict], budget_bytes: int) -> list[str]:
    """Pages over their byte budget, or fetching anything off the host."""
    over = [f"{r['page']}: {r['gzip_bytes']} B > {budget_bytes} B" for r in rows]
    over = [o for o, r in zip(over, rows, strict=True) if r["gzip_bytes"] > budget_bytes]
    return over + [
        f"{r['page']}: {r['off_host']} requests off the host" for r in rows if r["off_host"]
    ]


def report(rows: list[dict], index_size: tuple[int, int]) -> list[str]:
    """The page loads' table for BENCHMARKS.md."""
    lines = [
        "Page loads in headless Chromium (desktop, no throttling), one tab: the HTTP cache off and "
        "the site's storage cleared before each load, as on a first visit; the renderer is warm. "
        "Requests are counted on the last load, 300 ms after its load event.",
        "",
        "| Page | Requests | Off host | Transferred (gzip) | DOMContentLoaded | Load |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| `{r['page']}` | {r['requests']} | {r['off_host']} "
            f"| {r['gzip_bytes'] / 1000:.0f} kB | {r['dcl_ms']:.0f} ms | {r['load_ms']:.0f} ms |"
        )
    return lines + [
        "",
        f"Search index: {index_size[0] / 1000:.0f} kB ({index_size[1] / 1000:.0f} kB gzip), "
        "fetched by the search worker after the page loads.",
    ]
