"""nbmake runs these notebooks against the same offline stand-in as the snippet tests."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import standin  # noqa: E402


def pytest_configure(config):
    if not config.getoption("--gpu", default=False):
        standin.activate()
