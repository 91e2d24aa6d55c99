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


@pytest.mark.parametrize("page", notebooks.notebook_pages())
def test_install_cells_are_the_pages_install_lines(page):
    """An install cell is a page's install snippet behind IPython's %pip (IPython does not stop
    a notebook when pip fails, so the snippet's own test resolves it: tests/snippets/.../
    test_*install.py), and every install block of the page has its cell."""
    from harness.site.pages import SITE

    path = notebooks.NOTEBOOKS / f"{page}.en.ipynb"
    cells = [c for c in code_cells(path) if c.startswith("%pip ")]
    blocks = [b for b in SITE.page(page, "en").blocks if notebooks.installs(b)]
    assert [c.removeprefix("%") for c in cells] == [b.code.rstrip("\n") for b in blocks]
    for block in blocks:
        name = block.includes[0].path
        assert name.endswith("install.sh"), name
