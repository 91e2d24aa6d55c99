"""The commands that create and run the Modelfile's model, and show what Ollama loaded: Ollama
does not install here (the page says so); they name one model, made from the page's Modelfile."""

from harness.site import shell
from harness.site.pages import SITE


def test_the_commands_name_the_model_they_create(snippet):
    create, run = shell.commands(snippet.source())
    assert create[:2] == ["ollama", "create"] and create[3:5] == ["-f", "Modelfile"], create
    name = create[2]
    assert run == ["ollama", "run", name]
    show = shell.commands(SITE.snippet_text("ollama/show.sh"))
    assert show[0] == ["ollama", "show", "--modelfile", name], show
