import json
from pathlib import Path


def test_measures_prompt_and_generation(snippet, workdir, converted, llama_env):
    """bench.sh in the checkout on what convert.sh made, shortened (a few tokens, one run) and
    as JSON; with weight repacking off on a CPU with AMX, as for the server
    (harness.llamacpp.environment: llama-bench reads no LLAMA_ARG_ variables, only --repack)."""
    extra = "-p 16 -n 4 -r 1 -o json"
    if llama_env.get("LLAMA_ARG_REPACK") == "0":
        extra += " --repack 0"
    run = snippet.shell({"  # (1)!": f" {extra}"}, cwd=workdir, timeout=300, env=llama_env)
    rows = json.loads(run.printed)
    assert {(r["n_prompt"], r["n_gen"]) for r in rows} == {(16, 0), (0, 4)}, rows
    assert all(r["avg_ts"] > 0 for r in rows)
    assert {Path(r["model_filename"]).name for r in rows} == {converted.name}
