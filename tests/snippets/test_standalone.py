"""Every Python snippet that declares no predecessor (snippets.toml `continues`) runs alone: in a
namespace of its own, in a new interpreter, exactly as a reader pastes it into a new session.

A snippet that uses a name from an earlier block without declaring it fails here with a
NameError, which the in-process tests (where it runs after what it continues) cannot show.
harness.standalone runs them, started at collection so that it works beside the other tests.
"""

from __future__ import annotations

import pytest

from harness import manifest
from harness.plugin import standalone_snippets

pytestmark = pytest.mark.timeout(600)
NAMES = standalone_snippets(manifest.manifest())


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.snippet(n)) for n in NAMES])
def test_runs_alone(name, snippet, standalone_report, gpu):
    snippet.source()
    if name not in standalone_report:
        pytest.skip("with the real weights a second fresh load takes minutes (stand-in only)")
    result = standalone_report[name]
    assert "NameError" not in result["error"], (
        f"{snippet.where()} uses a name it does not define: {result['error']}; declare the "
        "snippet it continues in snippets/snippets.toml"
    )
    if name == "transformers/flash_attention.py" and not gpu:
        # Without a GPU it stops where the page says: flash-attn is required.
        assert "ImportError" in result["error"] and "FlashAttention2" in result["error"]
        return
    assert result["ok"], f"{snippet.where()} failed alone: {result['error']}"
    if manifest.manifest()[name].server:
        assert result["printed"].strip(), f"{snippet.where()} printed no answer"
