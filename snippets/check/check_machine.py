import ctypes
import importlib.metadata
import os
import platform
import re
import shutil
from pathlib import Path

# What this site tests (lowest, newest), and what each way of running Qwen2-7B-Instruct needs
# on a GPU: its weights with an 8,192-token KV cache, plus 1.5 GiB for the CUDA context and
# working memory; vLLM also leaves 8% of the card unused. Pages are named by their address on
# this site.
VERIFIED = {
    "transformers": ("4.56.0", "5.23.0"),
    "torch": ("2.13.0", "2.15.0"),
    "openai": ("1.55.3", "3.54.0"),
}
GIB = 1 << 30
ROUTES = [  # (format, GiB the card needs, the tool, its page): the best format that fits
    ("bfloat16", 16.2, "transformers in bfloat16", "quickstart/"),
    ("bfloat16", 17.6, "vLLM", "vllm/"),
    ("8-bit", 10.1, "8-bit with bitsandbytes", "quantized/#bitsandbytes"),
    ("4-bit", 7.4, "4-bit with bitsandbytes", "quantized/#bitsandbytes"),
    ("4-bit", 7.8, "GPTQ-Int4 with vLLM", "quantized/#vllm"),
]


def version(package):
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def ram_gib():
    """The machine's RAM, on Linux, macOS and Windows (None where it cannot be read)."""
    if hasattr(os, "sysconf"):
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB
    if hasattr(ctypes, "windll"):

        class Status(ctypes.Structure):  # Windows' MEMORYSTATUSEX
            _fields_ = [("length", ctypes.c_ulong), ("load", ctypes.c_ulong)] + [
                (name, ctypes.c_ulonglong)
                for name in ("total", "free", "page", "page_free", "virtual", "virtual_free", "ext")
            ]

        status = Status(length=ctypes.sizeof(Status))
        if ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):
            return status.total / GIB
    return None


def gather():
    """What this machine has."""
    facts = {
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.machine()}",
        "ram_gib": ram_gib(),
        "packages": {name: version(name) for name in VERIFIED},
        "nvidia_driver": shutil.which("nvidia-smi") is not None,
        "torch_cuda": None,
        "torch_archs": [],
        "gpus": [],
        "hub_cache": os.environ.get("HF_HUB_CACHE")
        or str(Path(os.environ.get("HF_HOME", "~/.cache/huggingface")).expanduser() / "hub"),
        "endpoint": os.environ.get("HF_ENDPOINT", "https://huggingface.co"),
        "offline": os.environ.get("HF_HUB_OFFLINE", "").upper() in ("1", "ON", "YES", "TRUE"),
    }
    if facts["packages"]["torch"]:
        import torch

        facts["torch_cuda"] = torch.version.cuda
        facts["torch_archs"] = torch.cuda.get_arch_list() if torch.cuda.is_available() else []
        for i in range(torch.cuda.device_count() if torch.cuda.is_available() else 0):
            props = torch.cuda.get_device_properties(i)
            free, _ = torch.cuda.mem_get_info(i)
            facts["gpus"].append(
                {
                    "name": props.name,
                    "capability": (props.major, props.minor),
                    "total_gib": props.total_memory / GIB,
                    "free_gib": free / GIB,
                }
            )
    return facts


def advice(facts):
    """The route that fits, and the troubleshooting entries that apply."""
    notes = []
    gpus = facts["gpus"]
    if facts["nvidia_driver"] and not gpus and facts["torch_cuda"]:
        notes.append(f"This torch is built for CUDA {facts['torch_cuda']} but sees no GPU: is")
        notes.append("the driver too old for it? (page troubleshooting/#cpu-torch)")
    elif facts["nvidia_driver"] and not gpus:
        notes.append("An NVIDIA driver is installed, but this torch sees no GPU: a CPU-only")
        notes.append("build of torch? (page troubleshooting/#cpu-torch)")
    if gpus:
        gpu = max(gpus, key=lambda g: g["total_gib"])
        cap = gpu["capability"]
        bf16 = cap >= (8, 0)  # bfloat16 needs compute capability 8.0
        linux = facts["system"].startswith("Linux")  # vLLM's wheels are for Linux
        fit = [
            r
            for r in ROUTES
            if gpu["total_gib"] >= r[1]
            and (bf16 or r[0] != "bfloat16")
            and (linux or "vLLM" not in r[2])
        ]
        best = [r for r in fit if r[0] == fit[0][0]] if fit else []
        if best:
            ways = ", or ".join(f"{r[2]} (page {r[3]})" for r in best)
            notes.insert(0, f"Route: {ways}")
        else:
            notes.insert(0, f"Route: llama.cpp, the {gpu['name']} is too small (page llamacpp/)")
        archs = facts.get("torch_archs") or []
        if archs and not runs_on(archs, cap):
            notes.append(f"This torch has no kernels for compute capability {cap[0]}.{cap[1]}:")
            notes.append("  install a build for CUDA 12 (page troubleshooting/#old-gpu)")
        if cap < (8, 0):
            notes.append("Compute capability below 8.0: no bfloat16, no Flash Attention 2")
            notes.append("  (page troubleshooting/#bfloat16)")
        if cap < (7, 5):
            notes.append("Compute capability below 7.5: no AWQ in vLLM")
            notes.append("  (page troubleshooting/#awq-v100)")
    elif facts["system"] == "Darwin arm64":
        notes.insert(0, "Route: MLX on Apple Silicon (page mlx/)")
    else:
        notes.insert(0, "Route: llama.cpp with a 4-bit GGUF file on the CPU (page llamacpp/)")
    return notes


def runs_on(archs, cap):
    """Whether a torch built for ``archs`` ("sm_75", "compute_90"...) runs on a GPU of compute
    capability ``cap``: a kernel for the same major version and an equal or lower minor one, or
    PTX for an equal or lower version, which the driver compiles."""
    built = [(a.split("_")[0], int(a.split("_")[1][:-1]), int(a.split("_")[1][-1])) for a in archs]
    return any(
        (kind == "sm" and major == cap[0] and minor <= cap[1])
        or (kind == "compute" and (major, minor) <= cap)
        for kind, major, minor in built
    )


def report(facts):
    lines = [
        f"Python {facts['python']} on {facts['system']}, {gib(facts['ram_gib'])} of RAM",
        f"torch {facts['packages']['torch'] or 'not installed'}, CUDA {facts['torch_cuda']}",
    ]
    for gpu in facts["gpus"]:
        major, minor = gpu["capability"]
        lines.append(
            f"GPU {gpu['name']}: compute capability {major}.{minor}, "
            f"{gpu['free_gib']:.1f} of {gpu['total_gib']:.1f} GiB free"
        )
    for name, (low, high) in VERIFIED.items():
        installed = facts["packages"][name]
        tested = in_range(installed, low, high)
        verdict = "tested" if tested else f"outside what this site tests ({low} to {high})"
        lines.append(f"{name} {installed or 'not installed'}: {verdict}")
    lines.append(f"Hugging Face cache: {facts['hub_cache']}")
    offline = ", offline" if facts["offline"] else ""
    lines.append(f"Downloads from: {facts['endpoint']}{offline}")
    return "\n".join(lines + [""] + advice(facts))


def gib(value):
    return "unknown" if value is None else f"{value:.1f} GiB"


def release(version):
    """A final release's numbers, padded to three ("2.15.0+cu132": (2, 15, 0)); None for a
    pre-release or a build of its own ("5.0.0rc1", "2.8.0a0+5228986c39.nv25.06")."""
    numbers = re.fullmatch(r"(\d+(?:\.\d+)*)(\+[\w.]+)?", version or "")
    if not numbers:
        return None
    return (tuple(int(n) for n in numbers[1].split(".")[:3]) + (0, 0))[:3]


def in_range(installed, low, high):
    here = release(installed)
    return here is not None and release(low) <= here <= release(high)


if __name__ == "__main__":
    print(report(gather()))  # (1)!
