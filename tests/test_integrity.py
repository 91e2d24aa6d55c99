"""What the pages show is what the suite tests: every rule in harness/site/rules.py, on the
repository.

Each failure names the file and line at fault. tests/test_guards.py shows each rule catching the
defect it is for.
"""

from __future__ import annotations

import pytest

from harness.site import rules
from harness.site.pages import Site

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def site() -> Site:
    return Site()


@pytest.mark.parametrize("name", sorted(rules.RULES))
def test_rule(site, name):
    problems = rules.RULES[name](site)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
