def test_replaces_the_4bit_configuration(run, linear_layers):
    """Put in place of the 4-bit configuration, the one line loads the model in 8 bits."""
    layers = linear_layers(run.namespace["model"])
    assert set(layers) == {"Linear8bitLt", "Linear"} and layers["Linear"] == 1, layers


def test_without_its_logging_line_each_8bit_layer_warns_at_each_step(run):
    """What annotation 2 says: bitsandbytes logs the cast once per 8-bit layer per forward pass
    (the prompt's, then one per new token), unless the snippet's line sets that logger to
    ERROR, as its run left it."""
    import logging

    from harness.qwen2.facts import MODEL_CONFIG

    model, tokenizer = run.namespace["model"], run.namespace["tokenizer"]
    logger = logging.getLogger("bitsandbytes.autograd._functions")
    assert logger.level == logging.ERROR
    layers = sum(1 for m in model.modules() if type(m).__name__ == "Linear8bitLt")
    assert layers == 7 * model.config.num_hidden_layers
    assert 7 * MODEL_CONFIG["num_hidden_layers"] == 196  # the page's count for the real model
    caught = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = caught.append
    logger.setLevel(logging.NOTSET)
    logger.addHandler(handler)
    try:
        inputs = tokenizer(["Hello"], return_tensors="pt")
        tokens = 3
        model.generate(**inputs, max_new_tokens=tokens, min_new_tokens=tokens, do_sample=False)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.ERROR)
    casts = [r for r in caught if "will be cast from torch.bfloat16 to float16" in r.getMessage()]
    assert len(casts) == layers * tokens, (len(casts), layers)
