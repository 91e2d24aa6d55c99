"""The notebooks in notebooks/ are generated from the pages; nbmake executes the English ones."""

import json

import pytest

from harness.tools import notebooks


def test_notebooks_are_up_to_date():
    stale = [
        path.name
        for path, text in notebooks.rendered().items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    assert not stale, f"out of date: {stale} (run nox -s notebooks)"


def code_cells(path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


@pytest.mark.parametrize("page", notebooks.notebook_pages())
def test_languages_run_the_same_code(page):
    """Why nbmake runs only the English notebook of each page."""
    en, zh = (notebooks.NOTEBOOKS / f"{page}.{lang}.ipynb" for lang in ("en", "zh"))
    assert code_cells(en), f"{en.name} has no code to run"
    assert code_cells(en) == code_cells(zh), f"{zh.name} runs other code than {en.name}"
