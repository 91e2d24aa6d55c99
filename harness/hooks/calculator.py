"""MkDocs hook: the home page's memory calculator, in place of its marker. Its figures are
harness/qwen2/memory.json (written by `python -m harness.tools.memory` from the computation the
tables and tests use), embedded in the page; docs/assets/javascripts/calculator.js only adds them
up. The form stays hidden without JavaScript: the hardware table above it is the page's answer
then. A marker on another page stops the build."""

from __future__ import annotations

import html
import json

from mkdocs.exceptions import PluginError

from harness.qwen2.memory import DATA
from harness.site.pages import lang_of

MARKER = "<!-- memory-calculator -->"
# Each route: the page that runs it, and what its overhead holds.
PAGES = {
    "transformers": "quickstart.md#transformers",
    "bitsandbytes": "quantized.md#bitsandbytes",
    "vllm": "quantized.md#vllm",
    "llamacpp": "llamacpp.md#download",
    "mlx": "mlx.md#generate",
}
# bitsandbytes runs inside transformers: its overhead is transformers' (the same margin).
OVERHEAD_OF = {"bitsandbytes": "transformers"}
NAMES = {
    "transformers": "transformers",
    "bitsandbytes": "bitsandbytes",
    "vllm": "vLLM",
    "llamacpp": "llama.cpp",
    "mlx": "MLX",
}
TEXT = {
    "en": {
        "format": "Format",
        "context": "Context length (tokens)",
        "sequences": "Sequences at once",
        "memory": "Your GPU's memory, or your RAM for a CPU or a Mac (GiB)",
        "memory_hint": "The total torch or nvidia-smi reports (nvidia-smi counts MiB: divide by "
        "1,024). It is often a little less than the size the card is sold with. On a Mac, the GPU "
        "may use only part of the memory: about 2/3 with 32 GB or less, about 3/4 or more above. "
        "llama.cpp prints the figure when it starts (recommendedMaxWorkingSetSize).",
        "part": "Part",
        "gib": "GiB",
        "source": "Where it comes from",
        "weights": "Weights",
        "kv": "KV cache",
        "overhead": "Overhead",
        "total": "Total",
        "fits": "Fits:",
        "no_fit": "Does not fit:",
        "verdict": "<strong>{verdict}</strong> {total} GiB needed, {memory} GiB available. "
        "Run it with {route}.",
        "yarn": "Beyond {native:,} tokens the model needs YaRN: see "
        '<a href="long-context/">Long context</a>.',
        "src_weights": {
            "transformers": "the {parameters_billion:.1f} billion parameters at 2 bytes",
            "bitsandbytes": "linear layers quantized, the rest in bfloat16 "
            '(<a href="quantized/#memory">How much memory</a>)',
            "vllm": "4-bit weights with a scale and a zero point per {gptq_awq_group} inputs, "
            'the rest in 16 bits (<a href="quantized/#memory">How much memory</a>)',
            "llamacpp": "the file's size as llama-quantize computes it for the model's shapes "
            '(<a href="llamacpp/#download">llama.cpp</a>)',
            "mlx": "4 bits with a 16-bit scale and bias per {mlx_group} weights, embeddings "
            'included (<a href="mlx/">MLX</a>)',
        },
        "src_kv": "{kv_kib} KiB per token (2 × {layers} layers × {kv_heads} key-value heads × "
        "{head_dim} × 2 bytes) × tokens × sequences",
        "src_overhead": {
            "transformers": "a margin of {reserve_gib} GiB for the CUDA context and PyTorch's "
            "working memory (a margin, not a measurement)",
            "vllm": "the share of the card vLLM leaves unused (<code>--gpu-memory-utilization"
            "</code> {vllm_gpu_share} by default), and a margin of {reserve_gib} GiB for its "
            "working memory",
            "llamacpp": "a margin of {reserve_gib} GiB for llama.cpp's compute buffers (a "
            "margin, not a measurement)",
            "mlx": "a margin of {reserve_gib} GiB for MLX's working memory; macOS and your "
            "other programs need their share of the same memory",
        },
    },
    "zh": {
        "format": "格式",
        "context": "上下文长度（token）",
        "sequences": "同时处理的序列数",
        "memory": "你的 GPU 显存；只用 CPU 或用 Mac 时填内存（GiB）",
        "memory_hint": "填 torch 或 nvidia-smi 报告的总量（nvidia-smi 以 MiB 为单位，"
        "除以 1,024 即可），通常比显卡标称的容量略少。在 Mac 上，GPU 只能使用一部分内存："
        "32 GB 及以下约为 2/3，更大的机器约为 3/4 或更多。llama.cpp 启动时会打印这个数"
        "（recommendedMaxWorkingSetSize）。",
        "part": "组成",
        "gib": "GiB",
        "source": "来源",
        "weights": "权重",
        "kv": "KV 缓存",
        "overhead": "额外开销",
        "total": "合计",
        "fits": "放得下：",
        "no_fit": "放不下：",
        "verdict": "<strong>{verdict}</strong>需要 {total} GiB，可用 {memory} GiB。"
        "运行方式：{route}。",
        "yarn": "超过 {native:,} 个 token 时，模型需要 YaRN：见"
        '<a href="long-context/">长上下文</a>。',
        "src_weights": {
            "transformers": "{parameters_yi:.0f} 亿个参数，每个 2 字节",
            "bitsandbytes": "线性层量化，其余为 bfloat16"
            '（<a href="quantized/#memory">需要多少显存</a>）',
            "vllm": "4 位权重，每 {gptq_awq_group} 个输入一个缩放系数和一个零点，其余为 16 位"
            '（<a href="quantized/#memory">需要多少显存</a>）',
            "llamacpp": "llama-quantize 按模型各张量的形状算出的文件大小"
            '（<a href="llamacpp/#download">llama.cpp</a>）',
            "mlx": "4 位，每 {mlx_group} 个权重一个 16 位缩放系数和偏置，词嵌入也量化"
            '（<a href="mlx/">MLX</a>）',
        },
        "src_kv": "每个 token {kv_kib} KiB（2 × {layers} 层 × {kv_heads} 个键值头 × "
        "{head_dim} × 2 字节）× token 数 × 序列数",
        "src_overhead": {
            "transformers": "给 CUDA 上下文和 PyTorch 自身运行开销留出的 {reserve_gib} GiB "
            "余量（不是实测值）",
            "vllm": "vLLM 不使用的那部分显存（<code>--gpu-memory-utilization</code> 默认为 "
            "{vllm_gpu_share}），再加上给它自身运行开销留出的 {reserve_gib} GiB 余量",
            "llamacpp": "给 llama.cpp 计算缓冲区留出的 {reserve_gib} GiB 余量（不是实测值）",
            "mlx": "给 MLX 运行开销留出的 {reserve_gib} GiB 余量；macOS 和其他程序也要占用"
            "同一块内存",
        },
    },
}
LABELS = {"4-bit": "NF4 4-bit", "8-bit": "8-bit", "MLX 4-bit": "4-bit"}
LABELS_ZH = {"4-bit": "NF4 4 位", "8-bit": "8 位", "MLX 4-bit": "4 位"}


def load() -> dict:
    if not DATA.exists():
        raise PluginError(f"{DATA} is missing: run `python -m harness.tools.memory`")
    return json.loads(DATA.read_text(encoding="utf-8"))


def field(name: str, label: str, value: int | float, low: int, high: int, hint: str = "") -> str:
    described = f' aria-describedby="calc-{name}-hint"' if hint else ""
    hint_html = f'<small id="calc-{name}-hint">{hint}</small>' if hint else ""
    return (
        f'<p><label for="calc-{name}">{label}</label> '
        f'<input type="number" id="calc-{name}" name="{name}" value="{value}" min="{low}" '
        f'max="{high}" step="any" required{described}> {hint_html}</p>'
    )


def form(lang: str, data: dict) -> str:
    t = TEXT[lang]
    labels = LABELS_ZH if lang == "zh" else LABELS
    groups: dict[str, list[str]] = {}
    for f in data["formats"]:
        label = labels.get(f["id"], f["id"])
        groups.setdefault(f["route"], []).append(
            f'<option value="{html.escape(f["id"])}"'
            f"{' selected' if f['id'] == '4-bit' else ''}>{label}</option>"
        )
    options = "".join(
        f'<optgroup label="{NAMES[r]}">{"".join(o)}</optgroup>' for r, o in groups.items()
    )
    facts = data["facts"] | {
        k: data[k] for k in ("reserve_gib", "vllm_gpu_share", "kv_bytes_per_token")
    }
    facts |= {
        "parameters_billion": facts["parameters"] / 1e9,
        "parameters_yi": facts["parameters"] / 1e8,
        "kv_kib": data["kv_bytes_per_token"] // 1024,
    }
    routes = {
        r: {
            "page": PAGES[r].replace(".md", "/"),
            "name": NAMES[r],
            "weights": t["src_weights"][r].format(**facts),
            "overhead": t["src_overhead"][OVERHEAD_OF.get(r, r)].format(**facts),
        }
        for r in PAGES
    }
    words = {k: t[k] for k in ("fits", "no_fit", "verdict")}
    words["src_kv"] = t["src_kv"].format(**facts)
    words["yarn"] = t["yarn"].format(native=data["native_context"])
    payload = html.escape(json.dumps({"data": data, "routes": routes, "words": words}))
    rows = "".join(
        f'<tr><th scope="row">{t[part]}</th><td id="calc-{part}"></td>'
        f'<td id="calc-{part}-source"></td></tr>'
        for part in ("weights", "kv", "overhead", "total")
    )
    return f"""<form class="calculator" id="calculator" hidden data-calculator="{payload}">
<p><label for="calc-format">{t["format"]}</label>
<select id="calc-format" name="format">{options}</select></p>
{field("context", t["context"], 8192, 1, data["max_context"])}
{field("sequences", t["sequences"], 1, 1, 1024)}
{field("memory", t["memory"], 12, 1, 1024, t["memory_hint"])}
<output for="calc-format calc-context calc-sequences calc-memory" aria-live="polite">
<p id="calc-verdict"></p>
<table>
<thead><tr><th scope="col">{t["part"]}</th><th scope="col">{t["gib"]}</th>
<th scope="col">{t["source"]}</th></tr></thead>
<tbody>{rows}</tbody>
</table>
<p id="calc-yarn" hidden></p>
</output>
</form>"""


def on_page_markdown(markdown, page, config, files):
    if MARKER not in markdown:
        return markdown
    if not page.file.src_uri.startswith("index."):
        raise PluginError(f"docs/{page.file.src_uri}: {MARKER} belongs on the home page")
    return markdown.replace(MARKER, form(lang_of(page.file.src_uri), load()))
