import subprocess

from harness import llamacpp


def test_made_the_tools_the_page_runs():
    """harness.llamacpp ran the snippet's commands, after the clone, in the sdist's tree."""
    bin_dir = llamacpp.ensure() / "build" / "bin"
    for tool in ("llama-server", "llama-cli"):
        done = subprocess.run(
            [bin_dir / tool, "--version"], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0 and "version:" in done.stderr, (tool, done.stderr[-500:])
    # llama-quantize has no --version: its usage lists the type the page quantizes to.
    done = subprocess.run([bin_dir / "llama-quantize"], capture_output=True, text=True, check=False)
    assert "usage:" in done.stdout and "Q4_K_M" in done.stdout, done.stdout[-500:]
