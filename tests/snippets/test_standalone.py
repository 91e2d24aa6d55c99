"""Every Python snippet that declares no predecessor (snippets.toml `continues`) runs alone: in a
namespace of its own, in a new interpreter, exactly as a reader pastes it into a new session.

A snippet that uses a name from an earlier block without declaring it fails here with a
NameError, which the in-process tests (where it runs after what it continues) cannot show.
harness.suite.standalone runs them, started at collection so that it works beside the other tests.
"""

from __future__ import annotations

import pytest

from harness.model.site import SITE
from harness.suite.background import standalone_snippets

pytestmark = pytest.mark.timeout(600)
NAMES = standalone_snippets(SITE.manifest)
# What a snippet must stop with on the cpu tier, alone as in the other tests: the errors it
# declares for that tier (snippets.toml `raises`), and the refusal of vLLM-only request fields by
# the cpu tier's server, `transformers serve`.
CPU_ERRORS = {
    name: SITE.snippet_text(r.output).split(":")[0]
    for name, e in SITE.manifest.items()
    for r in e.raises
    if r.tier == "cpu"
} | {"vllm/openai_client_extra_body.py": "openai.UnprocessableEntityError"}


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
    if name in CPU_ERRORS and not gpu:
        assert result["error"].startswith(CPU_ERRORS[name] + ":"), result["error"]
        return
    assert result["ok"], f"{snippet.where()} failed alone: {result['error']}"
    if SITE.manifest[name].server:
        assert result["printed"].strip(), f"{snippet.where()} printed no answer"
