"""The verification harness: everything the tests, the MkDocs hooks, the notebook generator and
the benchmarks share.

    site.py        the pages and snippets as a model (parser, includes, annotations, languages)
    manifest.py    snippets/snippets.toml: what the suite knows about each snippet, declared once
    rules.py       integrity rules: plain functions over a Site, each returning its problems
    runner.py      runs a snippet as a reader runs it, checking every call against invariants.py
    invariants.py  what a correct Qwen2 chat call looks like, applied to every snippet run
    standin.py     the offline stand-in of Qwen/Qwen2-7B-Instruct (tiny, random weights)
    servers.py     processes and servers started by the suite, which die with it
    standalone.py  snippets without a predecessor, each alone in a new namespace
    preload.py     the preloaded interpreter that kernels, standalone runs and the server fork from
    plugin.py      the pytest plugin: options, tiers, markers, fixtures, snippet coverage
    notebooks.py   notebooks/ generated from the pages
    report.py      a pytest junit result turned into an issue text (the newest-releases canary)
    bench.py       `nox -s bench`: figures against budgets, written to BENCHMARKS.md
    lighthouse.py  Lighthouse: the suite's audits (+ lighthouse.mjs) and performance for bench
"""
