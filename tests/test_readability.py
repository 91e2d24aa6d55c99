"""The built pages read as harness/tools/readability.py's targets ask, one test per target: short
pages, little text before the first code, few releases named, short sentences, short GPU labels,
no line break between two Chinese characters. A failure names each page's Markdown file and its
figure; `python -m harness.tools.readability` prints every figure and the longest sentences."""

from __future__ import annotations

import pytest

from harness.tools import readability

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def measured(built_site) -> list[readability.Measurement]:
    return readability.measure_site(built_site.folder)


def test_every_page_is_measured(measured):
    from harness.site.pages import SITE

    built = {m.built for m in measured}
    expected = {f"{p.url}index.html" for p in SITE.pages}
    assert built == expected, f"measured {sorted(built - expected)}, not {sorted(expected - built)}"


@pytest.mark.parametrize("target", readability.TARGETS, ids=lambda t: t.metric)
def test_pages_meet_the_target(measured, target):
    missed = readability.violations(measured, [target])
    if missed:
        pytest.fail(f"{len(missed)} pages miss the target:\n" + "\n".join(missed), pytrace=False)
