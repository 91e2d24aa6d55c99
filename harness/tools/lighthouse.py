"""Lighthouse on the built site, as readers' browsers and search engines meet it.

Two uses, kept apart because only one of them is deterministic:

- **audits** (the suite, tests/test_lighthouse.py): accessibility, best practices and SEO, and
  console errors, for every page in both languages; then, on the same page switched to the dark
  palette with its toggle, accessibility again (contrast is where colour matters), in Lighthouse's
  snapshot mode. These scores do not move with the machine's load: each must be 100.
- **performance** (the benchmark, harness/tools/bench.py): the performance score and total blocking
  time, which do move with load, measured side by side with a baseline built in the same run:
  the same page with Material's code annotations switched off (their tooltips are most of the
  pages' script work). The ratio means something on any machine; the raw figure does not.

The site is built for a loopback address (its absolute links point there) and served the way a
static host serves it (harness.processes.fresh_site). Lighthouse (npm, in .cache/node) runs with
its default mobile settings in Debian's Chromium, one Chrome for all the audits
(harness/tools/lighthouse.mjs). The dark palette is the one Material shows a reader who clicks
its toggle (or whose system is dark: the same colours).

    python -m harness.tools.lighthouse audits [--json OUT] [--planted]   # what the suite checks

With --planted the audits also audit one page with a defect planted in its dark palette alone
(PLANTED): a check of the dark step itself, which tests/test_lighthouse.py reads.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from harness.browser import CHROMIUM, CHROMIUM_ARGS
from harness.processes import free_port, fresh_site
from harness.site.pages import LANGS, SITE
from harness.site.paths import NODE_MODULES

LIGHTHOUSE = NODE_MODULES / ".bin" / "lighthouse"
SCRIPT = Path(__file__).with_name("lighthouse.mjs")
FLAGS = ["--headless=new", *CHROMIUM_ARGS]
CONSOLE = "errors-in-console"
# What the suite holds at 100 in each palette (colour matters to accessibility only). The light
# palette is a Lighthouse navigation, which also gathers the console (errors-in-console); the dark
# one a snapshot of the same page after SWITCH_TO_DARK, which has no console to read (the browser
# tests check the console in both palettes, the dark one after the same toggle:
# tests/test_browser.py).
AUDITED = {
    "light": ("accessibility", "best-practices", "seo"),
    "dark": ("accessibility",),
}
# Material's palette toggle: the input of a palette ("light" or "dark"), whose label is the
# button a reader clicks in the other palette.
PALETTE_INPUT = (
    "[data-md-component=palette] input[data-md-color-media='(prefers-color-scheme: {})']"
)
DARK_INPUT = PALETTE_INPUT.format("dark")
# Resolves once the colour transitions a palette change started have ended (axe and screenshots
# read the computed colours).
TRANSITIONS_END = """async () => {
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  await frame();
  await frame();
  const moving = document.getAnimations().filter((a) => a instanceof CSSTransition);
  await Promise.all(moving.map((a) => a.finished.catch(() => null)));
}"""
# The toggle clicked as a reader would (the page stays put: no new navigation); resolves once
# the page shows the dark scheme and its transitions have ended. Rejects if the scheme does not
# change.
SWITCH_TO_DARK = f"""(async () => {{
  const dark = document.querySelector({json.dumps(DARK_INPUT)});
  if (!dark) throw new Error("no dark palette in Material's palette toggle");
  document.querySelector(`label[for='${{dark.id}}']`).click();
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const scheme = () => document.body.dataset.mdColorScheme;
  for (let i = 0; i < 600 && scheme() !== dark.dataset.mdColorScheme; i++) await frame();
  if (scheme() !== dark.dataset.mdColorScheme) {{
    throw new Error(`the palette toggle left the scheme at ${{scheme()}}`);
  }}
  await ({TRANSITIONS_END})();
}})()"""
# A check of the dark step itself, audited beside the pages: text in the dark palette only, in a
# grey on slate's background that fails contrast, planted in the home page after the switch. The
# light navigation must pass it, and the dark snapshot must catch it.
PLANTED = "planted"
DIM_IN_THE_DARK = """.then(() => {
  const style = document.createElement("style");
  style.textContent = "[data-md-color-scheme=slate] .md-typeset p { color: #303030 !important }";
  document.head.append(style);
})"""
# The suite's audits need no performance trace: no full-page screenshot, no pauses after load,
# shorter quiet windows (as long as the browser tests' "network idle"), and not the one audit of
# theirs that reads a trace, "baseline" (the web features a page uses: informative, weight 0 in
# best practices; lighthouse.mjs refuses to skip an audit that weighs in a score). Without it
# Lighthouse records no trace.
AUDIT_SETTINGS = {
    "skipAudits": ["baseline"],
    "disableFullPageScreenshot": True,
    "pauseAfterFcpMs": 0,
    "pauseAfterLoadMs": 0,
    "networkQuietThresholdMs": 500,
    "cpuQuietThresholdMs": 500,
}

# The performance runs keep Lighthouse's defaults but the full-page screenshot, which no score
# reads (it illustrates the report) and which is seconds of work on a long page, and the CPU
# benchmark, which no run does (lighthouse.mjs).
PERF_SETTINGS = {"disableFullPageScreenshot": True}


def pages() -> list[str]:
    return [SITE.page(name, lang).url for lang in LANGS for name in SITE.page_names]


FEATURE = '"content.code.annotate"'


def no_annotations(site: Path, dest: Path) -> None:
    """A copy of the built site with Material's code annotations switched off: the feature is
    removed from each page's configuration, so the same HTML, CSS and scripts load and Material
    leaves the annotation lists as plain lists."""
    import shutil

    copy = dest.with_name(dest.name + ".tmp")
    shutil.copytree(site, copy)
    for url in pages():
        page = copy / url / "index.html"
        html = page.read_text(encoding="utf-8")
        if FEATURE not in html:
            raise RuntimeError(f"{page}: no {FEATURE} in the page's configuration")
        html = re.sub(r',\s*"content\.code\.annotate"|"content\.code\.annotate",\s*', "", html)
        page.write_text(html, encoding="utf-8")
    copy.rename(dest)


def lighthouse(groups: list[dict]) -> list[dict]:
    """Run harness/tools/lighthouse.mjs: one Chrome per group; one report per run, in order."""
    if not LIGHTHOUSE.exists():
        raise RuntimeError(f"Lighthouse is not installed in {NODE_MODULES}: run `nox -s tests`")
    # Each Chrome's debugging port, chosen here: chrome-launcher's own choice is a port the kernel
    # may hand to another socket before Chrome binds it (harness.processes.free_port).
    request = {"chrome": CHROMIUM, "groups": [{**g, "port": free_port()} for g in groups]}
    done = subprocess.run(
        ["node", str(SCRIPT), str(NODE_MODULES)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        timeout=1800,
    )
    if done.returncode != 0:
        raise RuntimeError(f"Lighthouse failed:\n{done.stderr[-3000:]}")
    reports = json.loads(done.stdout)
    ran = {r["environment"]["benchmarkIndex"] for r in reports} - {-1}
    if ran:  # the skip is Lighthouse's internals: a new release may not take it
        raise RuntimeError(
            f"Lighthouse {version()} ran its CPU benchmark (index {ran}) although "
            "lighthouse.mjs replaces it: see its header"
        )
    return reports


def summarize(report: dict) -> dict:
    """Lighthouse's mode (navigation or snapshot), scores (0-100) by category, each category's
    failing audits, and the console errors."""
    scores = {c: round(v["score"] * 100) for c, v in report["categories"].items()}
    failing = {}
    for c, category in report["categories"].items():
        if scores[c] == 100:
            continue
        failing[c] = [
            f"{ref['id']} ({report['audits'][ref['id']]['score']})"
            + (
                f": {a['displayValue']}"
                if (a := report["audits"][ref["id"]]).get("displayValue")
                else ""
            )
            for ref in category["auditRefs"]
            if ref["weight"] > 0 and report["audits"][ref["id"]]["score"] not in (None, 1)
        ]
    console = [
        e.get("description") or e.get("source")
        for e in report["audits"].get(CONSOLE, {}).get("details", {}).get("items", [])
    ]
    tbt = report["audits"].get("total-blocking-time", {}).get("numericValue")
    return {
        "mode": report["gatherMode"],
        "scores": scores,
        "failing": failing,
        "console": console,
        "tbt_ms": None if tbt is None else round(tbt),
    }


def audit_run(url: str, switch: str = SWITCH_TO_DARK) -> dict:
    """The suite's audit of one page (lighthouse.mjs's run): the light palette's categories and
    the console in a navigation, then the dark palette's categories after ``switch``."""
    return {
        "url": url,
        "categories": list(AUDITED["light"]),
        "audits": [CONSOLE],
        "settings": AUDIT_SETTINGS,
        "then": [
            {"script": switch, "categories": list(AUDITED["dark"]), "settings": AUDIT_SETTINGS}
        ],
    }


def audits(urls: list[str] | None = None, planted: bool = False) -> dict[str, dict]:
    """The suite's audits of every page (AUDITED), keyed "url|palette"; with ``planted``, also
    the PLANTED check, keyed "planted|palette"."""
    urls = pages() if urls is None else urls
    with fresh_site() as (base, _):
        runs = [audit_run(base + url) for url in urls]
        if planted:
            runs.append(audit_run(base, SWITCH_TO_DARK + DIM_IN_THE_DARK))
            urls = [*urls, PLANTED]
        reports = iter(lighthouse([{"flags": FLAGS, "runs": runs}]))
        return {f"{url}|{palette}": summarize(next(reports)) for url in urls for palette in AUDITED}


def performance(urls: list[str], runs: int) -> dict[str, dict[str, list]]:
    """Performance score and total blocking time of each page and of its baseline (the same page
    without code annotations), ``runs`` times each, interleaved, in one Chrome (light palette)."""
    with fresh_site() as (base, site):
        no_annotations(site, site / "baseline")
        plan = [
            (url, kind, base + ("baseline/" if kind == "baseline" else "") + url)
            for _ in range(runs)
            for url in urls
            for kind in ("page", "baseline")
        ]
        group = {
            "flags": FLAGS,
            "runs": [
                {"url": u, "categories": ["performance"], "audits": [], "settings": PERF_SETTINGS}
                for *_, u in plan
            ],
        }
        out: dict[str, dict[str, list]] = {}
        for (url, kind, _), report in zip(plan, lighthouse([group]), strict=True):
            s = summarize(report)
            row = out.setdefault(f"{url}|{kind}", {"score": [], "tbt_ms": []})
            row["score"].append(s["scores"]["performance"])
            row["tbt_ms"].append(s["tbt_ms"])
        return out


def version() -> str:
    return json.loads((NODE_MODULES / "lighthouse" / "package.json").read_text())["version"]


def audited_pages(results: dict[str, dict]) -> dict[str, dict]:
    """The results of the site's pages, without the PLANTED check."""
    return {k: r for k, r in results.items() if not k.startswith(PLANTED + "|")}


def table(results: dict[str, dict]) -> str:
    rows = ["| page | palette | scores | console errors |", "|---|---|---|---|"]
    for key, r in audited_pages(results).items():
        url, palette = key.split("|")
        scores = ", ".join(f"{c} {s}" for c, s in r["scores"].items())
        rows.append(f"| /{url} | {palette} | {scores} | {len(r['console'])} |")
    return "\n".join(rows)


def problems(results: dict[str, dict]) -> list[str]:
    out = []
    for key, r in audited_pages(results).items():
        url, palette = key.split("|")
        for c, failing in r["failing"].items():
            out.append(f"/{url} ({palette}) {c} {r['scores'][c]} < 100: {failing}")
        if r["console"]:
            out.append(f"/{url} ({palette}) console errors: {r['console']}")
    return out


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=["audits"])
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--planted", action="store_true", help="also audit the PLANTED check")
    args = ap.parse_args(argv)
    results = audits(planted=args.planted)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(table(results))
    found = problems(results)
    print("\n".join(found))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
