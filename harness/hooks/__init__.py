"""MkDocs hooks (mkdocs.yml `hooks:`): snippets.py decorates each page from its parsed model and
snippets/snippets.toml; hosting.py makes the built site behave on a static host."""
