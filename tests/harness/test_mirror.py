"""An entry that no check of snippets.toml runs needs a test module of its own, and so does one
whose page says what the suite checks instead of running it (`checked`): deleting that module
fails collection, naming the entry, instead of leaving the page's claim unchecked."""

from pathlib import Path

from harness.site.pages import SITE
from harness.suite import plugin


def test_every_claim_of_a_check_has_its_module():
    claimed = [name for name, entry in SITE.manifest.items() if entry.checked]
    assert "ollama/Modelfile" in claimed, claimed
    for name in claimed:
        assert plugin.needs_mirror(SITE.manifest[name]), name
        assert plugin.mirror(name).exists(), name
    assert plugin.unchecked() == []


def test_a_deleted_module_fails_collection(monkeypatch, tmp_path):
    """The planted defect: the Modelfile's test module is gone."""
    real = plugin.mirror

    def mirror(name: str) -> Path:
        return tmp_path / "gone.py" if name == "ollama/Modelfile" else real(name)

    monkeypatch.setattr(plugin, "mirror", mirror)
    monkeypatch.setattr(plugin, "ROOT", tmp_path)
    (problem,) = plugin.unchecked()
    assert problem.startswith("snippets/ollama/Modelfile (included by docs/ollama.md:"), problem
    assert "its page says the suite checks it" in problem and "gone.py" in problem


def test_a_label_alone_needs_no_module():
    """ollama/run.sh says only why nothing runs it: no module is required of it."""
    entry = SITE.manifest["ollama/run.sh"]
    assert entry.not_run and not entry.checked and not plugin.needs_mirror(entry)
