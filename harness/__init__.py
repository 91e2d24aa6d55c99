"""The verification harness: the page model (model/), the pytest suite's machinery (suite/), the
MkDocs hooks (hooks/) and the command-line tools (tools/). harness/README.md has the map of the
modules and the path of one snippet from its file to a verdict."""
