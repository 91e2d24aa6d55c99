"""Lighthouse on every page, in both languages, served the way a static host serves it.

Accessibility, best practices and SEO must score 100 and the console must stay clean, in the
light palette; in the dark one, accessibility (contrast is where colour matters), audited on the
same page after Material's palette toggle switched it (the browser tests check the console in both
palettes). These scores do not depend on how fast the machine is. Performance does, so it is not
judged here: `nox -s bench` measures it against a baseline built in the same run
(harness/tools/lighthouse.py). The audits run once per session, in a process of their own
(harness/suite/fixtures.py, lighthouse_report); results go to test-artifacts/lighthouse.json.
"""

from __future__ import annotations

import shutil

import pytest

from harness.browser import CHROMIUM
from harness.tools import lighthouse

pytestmark = [pytest.mark.lighthouse, pytest.mark.browser, pytest.mark.timeout(1800)]


@pytest.fixture(scope="module")
def report(lighthouse_report):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
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


def test_dark_audit_sees_the_dark_palette(report):
    """The dark step of the suite's audit audits the page in the dark palette: a contrast defect
    planted in that palette alone (lighthouse.PLANTED, audited with the pages) fails it, and not
    the light audit of the same page before it."""
    light, dark = (report.get(f"{lighthouse.PLANTED}|{p}") for p in ("light", "dark"))
    assert light and dark, "the planted check was not audited (harness.suite.background)"
    assert (light["mode"], dark["mode"]) == ("navigation", "snapshot")
    assert light["scores"] == dict.fromkeys(lighthouse.AUDITED["light"], 100), light["failing"]
    assert dark["scores"]["accessibility"] < 100, dark
    assert [a.split()[0] for a in dark["failing"]["accessibility"]] == ["color-contrast"], dark
