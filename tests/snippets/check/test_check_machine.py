"""The machine check (snippets/check/check_machine.py): run here as it is (the manifest's item),
then given the GPUs of other machines, as torch would report them."""

import dis
import re
import sys

import pytest

from harness.qwen2.memory import CONTEXT, need, stored
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


# Cards, with the total memory torch reports for them (GiB), and the pages the check must send
# each to and the troubleshooting entries it must name. The V100 32GB is the card where the
# bfloat16 rule decides: bfloat16 would fit, but it has no bfloat16.
MACHINES = {
    "T4": (gpu("Tesla T4", (7, 5), 14.6), ["quantized/#bitsandbytes"], ["#bfloat16"]),
    "V100 16GB": (
        gpu("Tesla V100-SXM2-16GB", (7, 0), 15.8),
        ["quantized/#bitsandbytes"],
        ["#bfloat16", "#awq-v100"],
    ),
    "V100 32GB": (
        gpu("Tesla V100-SXM2-32GB", (7, 0), 31.7),
        ["quantized/#bitsandbytes"],
        ["#bfloat16", "#awq-v100"],
    ),
    # vLLM's wheels are for Linux: on Windows, transformers only.
    "RTX 4090 on Windows": (gpu("NVIDIA GeForce RTX 4090", (8, 9), 23.6), ["quickstart/"], []),
    "A100 40GB": (gpu("NVIDIA A100-SXM4-40GB", (8, 0), 39.4), ["quickstart/", "vllm/"], []),
    "RTX 4090": (gpu("NVIDIA GeForce RTX 4090", (8, 9), 23.6), ["quickstart/", "vllm/"], []),
    # 16.2 GiB holds transformers in bfloat16, not vLLM, which leaves 8% of the card unused.
    "17 GiB card": (gpu("A 17 GiB card", (8, 9), 17.0), ["quickstart/"], []),
    # An 8 GB card: 4-bit with bitsandbytes fits; GPTQ-Int4 with vLLM does not (7.8 GiB).
    "8 GB card": (gpu("NVIDIA GeForce RTX 4060", (8, 9), 7.6), ["quantized/#bitsandbytes"], []),
    "4 GB card": (gpu("NVIDIA GeForce GTX 1650", (7, 5), 3.8), ["llamacpp/"], ["#bfloat16"]),
    "8 GiB card": (
        gpu("A card with 8.0 GiB", (8, 9), 8.0),
        ["quantized/#bitsandbytes", "quantized/#vllm"],
        [],
    ),
}
# Each route of the check, as the home page's calculator computes it (harness/qwen2/memory.py).
CALCULATOR_ROUTE = {
    "transformers in bfloat16": ("bfloat16", "transformers"),
    "vLLM": ("bfloat16", "vllm"),
    "8-bit with bitsandbytes": ("8-bit", "bitsandbytes"),
    "4-bit with bitsandbytes": ("4-bit", "bitsandbytes"),
    "GPTQ-Int4 with vLLM": ("GPTQ-Int4", "vllm"),
}


SYSTEMS = {"RTX 4090 on Windows": "Windows AMD64"}  # the others: Linux x86_64


def machine_facts(machine: str) -> dict:
    return facts(MACHINES[machine][0], system=SYSTEMS.get(machine, "Linux x86_64"))


def pages_of(line: str) -> list[str]:
    return re.findall(r"\(page ([^)]+)\)", line)


@pytest.mark.parametrize("machine", MACHINES)
def test_recommends_what_fits(machine, run):
    _, pages, notes = MACHINES[machine]
    advice = run.namespace["advice"](machine_facts(machine))
    assert pages_of(advice[0]) == pages, advice
    shown = [a for a in ("#bfloat16", "#awq-v100", "#cpu-torch") if any(a in n for n in advice)]
    assert shown == notes, advice


def test_without_a_gpu(run):
    advice = run.namespace["advice"]
    cpu = advice(facts(driver=False))
    assert cpu == ["Route: llama.cpp with a 4-bit GGUF file on the CPU (page llamacpp/)"]
    assert advice(facts(driver=False, system="Darwin arm64"))[0].endswith("(page mlx/)")
    # An NVIDIA driver, but a CPU-only torch: it sees no GPU.
    cpu_only = advice(facts(driver=True))
    assert any("#cpu-torch" in n for n in cpu_only) and "CPU-only" in " ".join(cpu_only)
    # A CUDA build that sees no GPU (a driver too old for its CUDA) is not called CPU-only.
    cuda_build = advice(facts(driver=True) | {"torch_cuda": "13.0"})
    text = " ".join(cuda_build)
    assert "#cpu-torch" in text and "CUDA 13.0" in text and "CPU-only" not in text, cuda_build


# The architectures two builds of torch carry (torch.cuda.get_arch_list()): 2.15.0 from PyPI
# (CUDA 13.2; read from the wheel here), and 2.14 for CUDA 12.6 (PyTorch's build_cuda.sh).
CUDA13 = ["sm_75", "sm_80", "sm_86", "sm_90", "sm_100", "sm_120"]
CUDA126 = ["sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_90"]


@pytest.mark.parametrize(
    ("capability", "archs", "runs"),
    [
        ((7, 0), CUDA13, False),  # a V100 with the CUDA 13 build
        ((6, 0), CUDA13, False),  # a P100
        ((7, 5), CUDA13, True),  # a T4
        ((8, 9), CUDA13, True),  # an RTX 4090: sm_86's kernels run on 8.9
        ((7, 0), CUDA126, True),
        ((12, 0), CUDA126, False),  # a newer GPU than the build, which carries no PTX
        ((12, 0), ["sm_80", "compute_80"], True),  # PTX for 8.0: the driver compiles it
    ],
)
def test_tells_a_gpu_this_torch_has_no_kernels_for(run, capability, archs, runs):
    import torch

    if (torch.version.cuda or "").startswith("13."):  # the CUDA 13 build the tests install
        assert torch.cuda.get_arch_list() == CUDA13
    assert run.namespace["runs_on"](archs, capability) is runs
    card = gpu("A card", capability, 31.7)
    advice = run.namespace["advice"](facts(card) | {"torch_archs": archs})
    assert any("#old-gpu" in n for n in advice) is not runs, advice


def test_reads_ram_without_sysconf(run, monkeypatch):
    """On Windows os.sysconf does not exist: RAM comes from GlobalMemoryStatusEx, and where
    neither can be read the report still prints."""
    import ctypes
    import os
    from types import SimpleNamespace

    namespace = run.namespace
    monkeypatch.delattr(os, "sysconf")

    def status(pointer):
        pointer._obj.total = 16 * GIB
        return 1

    windll = SimpleNamespace(kernel32=SimpleNamespace(GlobalMemoryStatusEx=status))
    monkeypatch.setattr(ctypes, "windll", windll, raising=False)
    assert namespace["ram_gib"]() == 16.0
    monkeypatch.delattr(ctypes, "windll")
    assert namespace["ram_gib"]() is None
    assert "unknown of RAM" in namespace["report"](facts() | {"ram_gib": None})


@pytest.mark.parametrize(
    ("installed", "tested"),
    [
        ("2.13.0", True),
        ("2.15.0+cu132", True),
        ("2.14", True),
        ("2.8.0a0+5228986c39.nv25.06", False),  # torch in NVIDIA's containers
        ("2.15.0rc1", False),
        ("2.16.0", False),
        (None, False),
    ],
)
def test_reads_every_version_torch_reports(run, installed, tested):
    """Pre-releases and NVIDIA's container builds are reported, as not tested, not a crash."""
    assert run.namespace["in_range"](installed, "2.13.0", "2.15.0") is tested
    packages = facts()["packages"] | {"torch": installed}
    report = run.namespace["report"](facts() | {"packages": packages})
    assert (f"torch {installed or 'not installed'}: tested" in report) is tested, report


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
    for fmt, gib, tool, _ in namespace["ROUTES"]:
        weights, route = CALCULATOR_ROUTE[tool]
        assert fmt == weights.replace("GPTQ-Int4", "4-bit"), tool
        # The card the calculator says it fits, to the tenth of a GiB the check prints.
        smallest = next(
            m / 10
            for m in range(10, 1000)
            if need(stored(weights), route, CONTEXT, 1, m / 10)["fits"]
        )
        assert gib == smallest, f"{tool}: {gib} GiB in the check, {smallest} in the calculator"


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


def test_every_page_it_names_exists(snippet):
    """Each "(page name/#anchor)" the check prints is a page of the site with that section."""
    named = re.findall(r"page ([a-z0-9-]+)/(?:#([a-z0-9-]+))?", snippet.source())
    assert len(named) >= 8, named
    for name, anchor in named:
        for lang in LANGS:
            page = SITE.page(name, lang)
            anchors = {h[-1] for h in page.headings}
            assert not anchor or anchor in anchors, f"{page.rel} has no #{anchor}"


def test_the_cases_reach_every_line_of_its_rules(run):
    """Every line of advice() and runs_on() runs for some case above: a rule no case reaches
    (the bfloat16 rule on a card where it decides) would be untested."""
    namespace = run.namespace
    codes = {namespace[f].__code__ for f in ("advice", "runs_on")}
    lines = {(c, line) for c in codes for _, line in dis.findlinestarts(c) if line}
    hit = set()

    def trace(frame, event, arg):
        if frame.f_code in codes:
            hit.add((frame.f_code, frame.f_lineno))
            return trace
        return None

    cases = [machine_facts(machine) for machine in MACHINES]
    cases += [facts(driver=False), facts(driver=False, system="Darwin arm64"), facts()]
    cases += [facts() | {"torch_cuda": "13.0"}]
    cases += [facts(gpu("A card", (7, 0), 31.7)) | {"torch_archs": CUDA13}]
    cases += [facts(gpu("A card", (12, 0), 31.7)) | {"torch_archs": ["sm_80", "compute_80"]}]
    sys.settrace(trace)
    try:
        for case in cases:
            namespace["advice"](case)
    finally:
        sys.settrace(None)
    source = snippet_lines()
    missed = sorted(line for code, line in lines - hit)
    assert not missed, [f"check_machine.py:{n}: {source[n - 1].strip()}" for n in missed]


def snippet_lines() -> list[str]:
    return SITE.snippet_text("check/check_machine.py").splitlines()


# Each condition of the route rules, and what removing it leaves (always true, or never).
MUTATIONS = {
    "the bfloat16 rule": ('(bf16 or r[0] != "bfloat16")', "True"),
    "the Linux rule": ('(linux or "vLLM" not in r[2])', "True"),
    "the memory rule": ('gpu["total_gib"] >= r[1]', "True"),
    "the best format only": ("r[0] == fit[0][0]", "True"),
    "the compute capability 8.0 note": ("if cap < (8, 0):", "if False:"),
    "the compute capability 7.5 note": ("if cap < (7, 5):", "if False:"),
}


@pytest.mark.parametrize("rule", MUTATIONS)
def test_each_rule_decides_a_case(rule):
    """Without any one condition of advice(), some card above gets another route or other
    notes: each rule is tested by a case where it decides (the V100 32GB for bfloat16)."""
    old, new = MUTATIONS[rule]
    source = SITE.snippet_text("check/check_machine.py")
    assert source.count(old) == 1, f"check_machine.py no longer has {old!r}"
    namespace = {"__name__": "mutant"}
    exec(compile(source.replace(old, new), "check_machine.py", "exec"), namespace)
    wrong = []
    for machine, (_, pages, notes) in MACHINES.items():
        advice = namespace["advice"](machine_facts(machine))
        shown = [a for a in ("#bfloat16", "#awq-v100", "#cpu-torch") if any(a in n for n in advice)]
        if pages_of(advice[0]) != pages or shown != notes:
            wrong.append(machine)
    assert wrong, f"without {rule}, every card gets the same advice: no case tests it"
