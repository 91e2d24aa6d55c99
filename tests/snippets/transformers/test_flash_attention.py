import importlib.util

import pytest
import torch


@pytest.mark.gpu
def test_loads_flash_attention_2_and_generates(snippet, base):
    if importlib.util.find_spec("flash_attn") is None:
        pytest.skip(
            "flash-attn is not installed: run snippets/transformers/flash_attention_install.sh"
        )
    model = snippet.run().namespace["model"]
    assert model.config._attn_implementation == "flash_attention_2"
    assert model.dtype == torch.bfloat16
    inputs = base.namespace["model_inputs"]
    out = model.generate(**inputs, max_new_tokens=32)
    assert base.namespace["tokenizer"].decode(out[0][inputs.input_ids.shape[1] :]).strip()


def test_the_kernel_the_page_names_is_transformers_fallback():
    """What the page says transformers loads when flash-attn is missing and `kernels` is
    installed, read from the installed transformers: the newest end's name on 5.x, the lowest
    end's on 4.x (the `oldest` session checks that one). The weekly canary runs it on newer
    releases: it fails when the kernel's name changes, not when the release number does."""
    import inspect

    import transformers
    from transformers import modeling_utils

    from harness.site.pages import LANGS, SITE

    major = int(transformers.__version__.split(".")[0])
    if major >= 5:
        from transformers.modeling_flash_attention_utils import (
            FLASH_ATTN_KERNEL_DEVICES,
            FLASH_ATTN_KERNEL_FALLBACK,
        )

        repo = FLASH_ATTN_KERNEL_FALLBACK["flash_attention_2"]
        assert repo == "kernels-community/flash-attn2"
        assert FLASH_ATTN_KERNEL_DEVICES[repo] == ("cuda", "xpu")  # what the page says
    else:
        repo = "kernels-community/flash-attn"
        assert f'applicable_attn_implementation = "{repo}"' in inspect.getsource(modeling_utils)
    # The page names the verified end of the installed major version (pyproject.toml), not the
    # installed release: a newer release that loads the same kernel is no break of the page.
    low, high = SITE.verified_versions["transformers"]
    version = ".".join((high if major >= 5 else low).split(".")[:2])
    for lang in LANGS:
        text = " ".join(SITE.page("quickstart", lang).section("flash-attention-2").split())
        assert f"`{repo}`" in text and version in text, f"docs/quickstart ({lang})"
