def test_replaces_the_4bit_configuration(run, linear_layers):
    """Put in place of the 4-bit configuration, the one line loads the model in 8 bits."""
    layers = linear_layers(run.namespace["model"])
    assert set(layers) == {"Linear8bitLt", "Linear"} and layers["Linear"] == 1, layers
