"""The site as data: its pages, the manifest of its snippets, and the rules over them."""
