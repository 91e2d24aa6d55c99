import importlib.metadata
import os
import platform
import shutil
from pathlib import Path

# What this site tests (lowest, newest), and what each way of running Qwen2-7B-Instruct needs
# on a GPU: its weights with an 8,192-token KV cache, plus 1.5 GiB for the CUDA context and
# working memory. Pages are named by their address on this site.
VERIFIED = {
    "transformers": ("4.56.0", "5.23.0"),
    "torch": ("2.13.0", "2.15.0"),
    "openai": ("1.55.3", "3.54.0"),
}
GIB = 1 << 30
ROUTES = [  # (GiB the card needs, the route, its page): the first that fits
    (16.2, "transformers in bfloat16, or vLLM", "quickstart/"),
    (10.1, "8-bit with bitsandbytes", "quantized/#bitsandbytes"),
    (7.4, "4-bit with bitsandbytes, or GPTQ-Int4 with vLLM", "quantized/"),
]


def version(package):
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def gather():
    """What this machine has."""
    facts = {
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.machine()}",
        "ram_gib": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB,
        "packages": {name: version(name) for name in VERIFIED},
        "nvidia_driver": shutil.which("nvidia-smi") is not None,
        "torch_cuda": None,
        "gpus": [],
        "hub_cache": os.environ.get("HF_HUB_CACHE")
        or str(Path(os.environ.get("HF_HOME", "~/.cache/huggingface")).expanduser() / "hub"),
        "endpoint": os.environ.get("HF_ENDPOINT", "https://huggingface.co"),
        "offline": os.environ.get("HF_HUB_OFFLINE", "").upper() in ("1", "ON", "YES", "TRUE"),
    }
    if facts["packages"]["torch"]:
        import torch

        facts["torch_cuda"] = torch.version.cuda
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
    if facts["nvidia_driver"] and not gpus:
        notes.append("An NVIDIA driver is installed, but this torch sees no GPU: a CPU-only")
        notes.append("build of torch? (page troubleshooting/#cpu-torch)")
    if gpus:
        gpu = max(gpus, key=lambda g: g["total_gib"])
        bf16 = gpu["capability"] >= (8, 0)  # bfloat16 needs compute capability 8.0
        usable = ROUTES if bf16 else ROUTES[1:]
        route = next((r for r in usable if gpu["total_gib"] >= r[0]), None)
        if route:
            notes.insert(0, f"Route: {route[1]} on the {gpu['name']} (page {route[2]})")
        else:
            notes.insert(0, f"Route: llama.cpp, the {gpu['name']} is too small (page llamacpp/)")
        if gpu["capability"] < (8, 0):
            notes.append("Compute capability below 8.0: no bfloat16, no Flash Attention 2")
            notes.append("  (page troubleshooting/#bfloat16)")
        if gpu["capability"] < (7, 5):
            notes.append("Compute capability below 7.5: no AWQ in vLLM")
            notes.append("  (page troubleshooting/#awq-v100)")
    elif facts["system"] == "Darwin arm64":
        notes.insert(0, "Route: MLX on Apple Silicon (page mlx/)")
    else:
        notes.insert(0, "Route: llama.cpp with a 4-bit GGUF file on the CPU (page llamacpp/)")
    return notes


def report(facts):
    lines = [
        f"Python {facts['python']} on {facts['system']}, {facts['ram_gib']:.1f} GiB of RAM",
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


def in_range(installed, low, high):
    def key(v):
        return tuple(int(p) for p in v.split("+")[0].split(".")[:3])

    return installed is not None and key(low) <= key(installed) <= key(high)


if __name__ == "__main__":
    print(report(gather()))  # (1)!
