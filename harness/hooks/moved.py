"""MkDocs hook: sections that moved to another page keep their old addresses.

A link to a moved section (`/quickstart/#query`, in either language) lands on the page the section
moved to: the old page gets a small script that, when its address names a moved anchor that the
page no longer has, replaces the address with the new one. MOVED is the one list of such moves;
tests/test_site.py checks that each target exists and each old anchor is gone.
"""

from __future__ import annotations

import json

from harness.site.pages import name_of

# page name -> {old anchor: "new page name#anchor"}
MOVED = {
    "quickstart": {
        anchor: f"vllm#{anchor}"
        for anchor in (
            "query",
            "query-streaming",
            "query-sampling",
            "gpu-memory",
            "tensor-parallel",
            "vllm-modelscope",
        )
    },
    "index": {"versions": "testing#versions"},
    "chat": {"tools-verified": "testing#checks-chat"},
}


def redirects(name: str) -> dict[str, str]:
    """Old anchor -> the new address, relative to the old page's URL (every page but the home
    page is one folder below its language's root)."""
    up = "" if name == "index" else "../"
    return {old: up + "{}/#{}".format(*new.split("#")) for old, new in MOVED.get(name, {}).items()}


def on_page_content(html, page, config, files):
    moves = redirects(name_of(page.file.src_uri))
    if not moves:
        return html
    script = (
        f"(function(){{var m={json.dumps(moves)},h=decodeURIComponent(location.hash.slice(1));"
        "if(m[h]&&!document.getElementById(h))location.replace(m[h]);})();"
    )
    return html + f"<script>{script}</script>"
