"""What the quantized page's checks share."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture
def linear_layers():
    """How many linear layers of each class a model has (bitsandbytes swaps in its own)."""

    def count(model) -> dict[str, int]:
        counts: dict[str, int] = {}
        for module in model.modules():
            if isinstance(module, torch.nn.Linear):
                counts[type(module).__name__] = counts.get(type(module).__name__, 0) + 1
        return counts

    return count
