"""Lighthouse on every page, in both languages, served the way a static host serves it.

Accessibility, best practices and SEO must score 100 and the console must stay clean, in the
light palette; in the dark one, accessibility (contrast is where colour matters) and the console
again. These scores do not depend on how fast the machine is. Performance does, so it is not
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
