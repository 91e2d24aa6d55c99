import pytest
import torch


def test_older_torch_dtype_form_still_loads_bfloat16(run, on_standin):
    """The form the page offers for transformers < 4.56 (deprecated from 4.56, so it may warn)."""
    if not on_standin:
        pytest.skip("stand-in only: with the real weights it would load 15 GB a second time")
    assert run.namespace["model"].dtype == torch.bfloat16
