"""Lighthouse on every page, in both languages, served the way a static host serves it.

Accessibility, best practices and SEO must score 100 and the console must stay clean, in the
light palette; in the dark one, accessibility (contrast is where colour matters), audited on the
same page after Material's palette toggle switched it (the browser tests check the console in both
palettes). These scores do not depend on how fast the machine is. Performance does, so it is not
judged here: `nox -s bench` measures it against a baseline built in the same run
(harness/tools/lighthouse.py). The audits run in the background from the start of the session
(harness/suite/background.py); results go to test-artifacts/lighthouse.json.
"""

from __future__ import annotations

import shutil

import pytest

from harness.model.facts import CHROMIUM
from harness.tools import lighthouse

pytestmark = [pytest.mark.lighthouse, pytest.mark.browser, pytest.mark.timeout(1800)]


@pytest.fixture(scope="module")
def chromium():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")


@pytest.fixture(scope="module")
def report(chromium, lighthouse_report):
    return lighthouse_report


@pytest.mark.parametrize("palette", list(lighthouse.AUDITED))
@pytest.mark.parametrize("url", lighthouse.pages(), ids=lambda u: "/" + u)
def test_lighthouse_scores(report, url, palette):
    result = report.get(f"{url}|{palette}")
    assert result, f"/{url} ({palette}) was not audited"
    want = set(lighthouse.AUDITED[palette])
    assert set(result["scores"]) == want, f"/{url} ({palette}) audited {sorted(result['scores'])}"
    assert result["scores"] == dict.fromkeys(want, 100), f"/{url} ({palette}): {result['failing']}"
    assert not result["console"], f"/{url} ({palette}) console errors: {result['console']}"


# Text in the dark palette only, in a grey on slate's background that fails contrast.
DIM_IN_THE_DARK = """.then(() => {
  const style = document.createElement("style");
  style.textContent = "[data-md-color-scheme=slate] .md-typeset p { color: #303030 !important }";
  document.head.append(style);
})"""


def test_dark_audit_sees_the_dark_palette(chromium, site_url):
    """The dark step of the suite's audit (lighthouse.audit_run) audits the page in the dark
    palette: a contrast defect planted in that palette alone fails it, and not the light audit of
    the same page before it."""
    run = lighthouse.audit_run(site_url, lighthouse.SWITCH_TO_DARK + DIM_IN_THE_DARK)
    group = {"flags": lighthouse.FLAGS, "benchmark": False, "runs": [run]}
    light, dark = lighthouse.lighthouse([group])
    assert (light["gatherMode"], dark["gatherMode"]) == ("navigation", "snapshot")
    assert light["audits"]["color-contrast"]["score"] == 1, lighthouse.summarize(light)
    assert dark["audits"]["color-contrast"]["score"] == 0, lighthouse.summarize(dark)
