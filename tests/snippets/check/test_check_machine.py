"""The machine check (snippets/check/check_machine.py): run here as it is (the manifest's item),
then given the GPUs of other machines, as torch would report them."""

import math

import pytest

from harness.qwen2.memory import FORMATS, need_gib
from harness.site.pages import LANGS, SITE

GIB = 1 << 30


def gpu(name, capability, total_gib):
    return {"name": name, "capability": capability, "total_gib": total_gib, "free_gib": total_gib}


def facts(*gpus, driver=True, system="Linux x86_64"):
    return {
        "python": "3.11.9",
        "system": system,
        "ram_gib": 31.3,
        "packages": {"transformers": "5.23.0", "torch": "2.15.0", "openai": "3.54.0"},
        "nvidia_driver": driver,
        "torch_cuda": "13.0" if gpus else None,
        "gpus": list(gpus),
        "hub_cache": "/home/me/.cache/huggingface/hub",
        "endpoint": "https://huggingface.co",
        "offline": False,
    }


# The cards the issue names, with the total memory torch reports for them (GiB), and the route
# and notes the check must give each.
MACHINES = {
    "T4": (gpu("Tesla T4", (7, 5), 14.6), "8-bit", ["#bfloat16"]),
    "V100 16GB": (gpu("Tesla V100-SXM2-16GB", (7, 0), 15.8), "8-bit", ["#bfloat16", "#awq-v100"]),
    "A100 40GB": (gpu("NVIDIA A100-SXM4-40GB", (8, 0), 39.4), "bfloat16", []),
    "RTX 4090": (gpu("NVIDIA GeForce RTX 4090", (8, 9), 23.6), "bfloat16", []),
    "8 GB card": (gpu("NVIDIA GeForce RTX 4060", (8, 9), 7.6), "4-bit", []),
}
ROUTE_OF = {"bfloat16": "quickstart/", "8-bit": "quantized/#bitsandbytes", "4-bit": "quantized/"}


@pytest.mark.parametrize("machine", MACHINES)
def test_recommends_what_fits(machine, run):
    card, fmt, notes = MACHINES[machine]
    advice = run.namespace["advice"](facts(card))
    assert advice[0].endswith(f"(page {ROUTE_OF[fmt]})"), advice
    shown = [a for a in ("#bfloat16", "#awq-v100", "#cpu-torch") if any(a in n for n in advice)]
    assert shown == notes, advice


def test_without_a_gpu(run):
    advice = run.namespace["advice"]
    cpu = advice(facts(driver=False))
    assert cpu == ["Route: llama.cpp with a 4-bit GGUF file on the CPU (page llamacpp/)"]
    assert advice(facts(driver=False, system="Darwin arm64"))[0].endswith("(page mlx/)")
    # An NVIDIA driver, but a torch that sees no GPU.
    assert any("#cpu-torch" in n for n in advice(facts(driver=True)))


def test_on_this_machine(run):
    """Its plain run, here: a CPU with no GPU; every package of the verified table reported."""
    printed = run.printed
    assert "Route: " in printed and "Hugging Face cache: " in printed, printed
    for name in run.namespace["VERIFIED"]:
        assert f"\n{name} " in printed, printed


def test_its_figures_are_the_sites(run):
    """Its verified ranges are pyproject.toml's; its memory thresholds are
    harness/qwen2/memory.py's, rounded up to the tenth of a GiB it prints."""
    namespace = run.namespace
    assert namespace["VERIFIED"] == {k: tuple(v) for k, v in SITE.verified_versions.items()}
    thresholds = [r[0] for r in namespace["ROUTES"]]
    assert thresholds == [math.ceil(need_gib(f) * 10) / 10 for f in FORMATS]


def test_the_pages_example(run, snippet):
    """The example the home page shows is what it prints for one RTX 4090."""
    example = run.namespace["report"](facts(MACHINES["RTX 4090"][0]))
    assert example + "\n" == SITE.snippet_text(snippet.entry.example)
    for lang in LANGS:
        text = " ".join(SITE.page("index", lang).section("check").split())
        assert "RTX 4090" in text, f"docs/index ({lang}) #check"


def test_reports_huggingface_hubs_own_default_endpoint():
    from huggingface_hub import constants

    from harness.site.paths import ADDRESSES

    assert constants._HF_DEFAULT_ENDPOINT == ADDRESSES["Hugging Face Hub"]
    assert f'"HF_ENDPOINT", "{ADDRESSES["Hugging Face Hub"]}"' in SITE.snippet_text(
        "check/check_machine.py"
    )


@pytest.mark.parametrize("value", ["1", "true", "YES", "0", "false", ""])
def test_reads_offline_as_huggingface_hub_does(value, run, monkeypatch):
    from huggingface_hub.constants import _is_true

    monkeypatch.setenv("HF_HUB_OFFLINE", value)
    assert run.namespace["gather"]()["offline"] == _is_true(value)
