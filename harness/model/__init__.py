"""What the site is, as data: its pages and snippets (site.py), what the suite knows of each
snippet (manifest.py), what its shell snippets send (shell.py) and the facts every part shares
(facts.py). Nothing here starts a process; the rest of the harness imports from here."""
