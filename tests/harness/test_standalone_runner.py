"""harness.suite.standalone: a snippet that needs the server is not run against a port where no
healthy server answers (whatever holds the port, a client could wait minutes for an answer)."""

from __future__ import annotations

import socket

from harness.model.facts import PAGE_SERVER_URL
from harness.model.site import SITE
from harness.suite import standalone


def test_a_server_snippet_fails_at_once_when_its_port_answers_no_health_check():
    snippet = "vllm/openai_client.py"
    assert PAGE_SERVER_URL in SITE.snippet_text(snippet)
    # A listener that accepts connections and never answers, as a Jupyter kernel's socket does.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        result = standalone.run(snippet, url, server_timeout=2)
    assert not result["ok"] and result["printed"] == "", result
    assert result["error"] == f"not run: the server at {url} did not answer /health in 2 s"
