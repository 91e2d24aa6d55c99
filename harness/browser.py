"""Debian's Chromium, driven through Playwright (Playwright's own browser download is not used),
for the browser tests, the Lighthouse audits and the benchmark's page loads."""

from __future__ import annotations

import os

# Debian's Chromium, with the flags a machine with no network beyond loopback needs (and root).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def first_visit_next(page, cdp, origin: str) -> None:
    """Leave ``page`` for about:blank, then clear the storage ``origin`` has in the browser
    (``cdp``: a CDP session of the page's context), so that its next page loads as on a first
    visit. Leaving first: Material stores the palette it shows (its palette component:
    __md_get("__palette") first, the media query second) while the page unloads."""
    page.goto("about:blank")
    cdp.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})


def launch_chromium(playwright):
    """Debian's Chromium through Playwright (Playwright's own browser download is not used)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
