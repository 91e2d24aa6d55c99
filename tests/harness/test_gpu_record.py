"""The gpu tier's record (harness/site/gpu_record.py, written by harness/suite/gpu_run.py).

The writer runs here on a CPU, as it would at the end of a gpu-tier run, with the GPU fields
absent (null); a record made by a real `nox -s gpu` run has the same form with them filled in.
"""

from __future__ import annotations

import json

import pytest

from harness.site import gpu_record
from harness.site.gpu_record import RecordError, SnippetResult
from harness.suite import gpu_run

OUTCOMES = {
    "vllm/serve.sh": [
        (
            "tests/snippets/test_server.py::test_vllm_serve_is_the_local_command_without_host",
            "passed",
            "",
        ),
        (
            "tests/snippets/vllm/test_serve.py::test_vllm_prints_the_kv_cache_error",
            "passed",
            "",
        ),
    ],
    "vllm/install.sh": [
        (
            "tests/snippets/test_server.py::test_vllm_install_command_runs",
            "skipped",
            "vllm is not installed",
        ),
    ],
    "transformers/flash_attention.py": [
        (
            "tests/snippets/test_transformers.py::test_flash_attention_on_gpu",
            "failed",
            "RuntimeError: FlashAttention only supports Ampere GPUs or newer.",
        ),
        (
            "snippets/snippets.toml::transformers/flash_attention.py raises ImportError",
            "passed",
            "",
        ),
    ],
}


def test_the_writer_records_what_ran_and_reads_back(tmp_path):
    path = tmp_path / "gpu.json"
    written = gpu_run.write(OUTCOMES, "stand-in", path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert gpu_record.problems(data) == []
    assert data["gpu"] is None, "no CUDA here: the GPU fields are absent"
    assert set(data["versions"]) == set(gpu_record.PACKAGES)
    assert data["versions"]["torch"] and data["versions"]["transformers"]
    assert len(data["commit"]) == 40 and data["date"][:2] == "20"
    read = gpu_record.read(path)
    assert read == written
    # A snippet failed if any of its tests failed, passed if any passed, else skipped.
    assert read.result("vllm/serve.sh").result == "passed"
    assert read.result("vllm/install.sh") == SnippetResult(
        "skipped", (OUTCOMES["vllm/install.sh"][0][0],), "vllm is not installed"
    )
    assert read.result("transformers/flash_attention.py").result == "failed"
    assert "Ampere" in read.result("transformers/flash_attention.py").reason
    assert read.result("vllm/serve_float16.sh") is None


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d.pop("commit"), "commit"),
        (lambda d: d.update(weights="fp8"), "weights"),
        (lambda d: d.update(gpu={"name": "NVIDIA H200"}), "gpu"),
        (lambda d: d["versions"].pop("vllm"), "versions"),
        (lambda d: d["snippets"]["vllm/serve.sh"].update(result="green"), "vllm/serve.sh"),
        (lambda d: d.update(format=2), "format"),
    ],
)
def test_a_malformed_record_is_refused_naming_the_field(tmp_path, change, named):
    path = tmp_path / "gpu.json"
    gpu_run.write(OUTCOMES, "real", path)
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RecordError, match=named) as refused:
        gpu_record.read(path)
    assert str(path) in str(refused.value)


def test_no_record_means_no_gpu_run(tmp_path):
    assert gpu_record.read(tmp_path / "gpu.json") is None


def test_pages_show_a_recorded_gpu_run(tmp_path):
    """The MkDocs hook on a copy of the site with a record: a block whose snippets passed names
    the date and the GPU; one whose snippet was skipped says it has not yet run on a GPU; the
    versions table gains the vLLM row the record proves."""
    import shutil

    from harness.hooks import snippets as hook
    from harness.site.pages import Site
    from harness.site.paths import ROOT

    for part in ("docs", "snippets"):
        shutil.copytree(ROOT / part, tmp_path / part)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    gpu = {
        "name": "NVIDIA H200",
        "count": 1,
        "capability": "9.0",
        "memory_gib": 139.8,
        "driver": "580.65",
        "cuda": "12.9",
    }
    record = gpu_record.GpuRecord(
        commit="0123456789abcdef0123456789abcdef01234567",
        date="2026-12-02",
        weights="stand-in",
        gpu=gpu,
        versions={
            "torch": "2.13.0",
            "transformers": "5.23.0",
            "vllm": "0.29.0",
            "flash-attn": None,
        },
        snippets={
            "vllm/serve.sh": SnippetResult("passed"),
            "vllm/install.sh": SnippetResult("skipped", (), "vllm is not installed"),
        },
    )
    (tmp_path / "verified").mkdir()
    (tmp_path / "verified" / "gpu.json").write_text(record.to_json(), encoding="utf-8")
    site = Site(tmp_path)
    page = site.page("vllm", "en")
    labels = {
        i.path: hook.gpu_label(site, block, "en") for block in page.blocks for i in block.includes
    }
    assert "GPU · passed 2026-12-02" in labels["vllm/serve.sh"]
    assert "NVIDIA H200, CUDA 12.9, driver 580.65" in labels["vllm/serve.sh"]
    assert "(commit 0123456)" in labels["vllm/serve.sh"]
    assert labels["outputs/errors/vllm_kv_cache.txt"] == labels["vllm/serve.sh"], "its snippet's"
    assert "GPU only · not yet run" in labels["vllm/install.sh"]
    assert "vllm is not installed" in labels["vllm/install.sh"]
    assert "GPU only · not yet run" in labels["vllm/serve_max_model_len.sh"], "no result recorded"
    quickstart = site.page("quickstart", "en")
    block = next(b for b in quickstart.blocks if b.includes[0].path == "transformers/generate.py")
    assert hook.gpu_label(site, block, "en") is None, "runs on the cpu tier"
    table = hook.versions_table(site, "zh")
    assert "| `vllm` | 0.29.0 | 0.29.0 |" in table and "flash-attn` |" not in table
    assert "最近一次 GPU 测试（2026-12-02" in hook.gpu_record(site, "zh")
