import torch


def test_replaces_the_4bit_configuration(run):
    """Put in place of the 4-bit configuration, the one line loads the model in 8 bits."""
    names = {type(m).__name__ for m in run.namespace["model"].modules()}
    linear = [m for m in run.namespace["model"].modules() if isinstance(m, torch.nn.Linear)]
    assert "Linear8bitLt" in names and "Linear4bit" not in names, names
    assert sum(type(m).__name__ == "Linear" for m in linear) == 1  # the output layer
