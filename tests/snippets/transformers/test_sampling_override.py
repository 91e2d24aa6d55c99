def test_reaches_generate(run):
    (call,) = run.record.generate_calls
    assert (call["kwargs"].get("temperature"), call["kwargs"].get("top_p")) == (0.3, 0.9)
    assert (
        run.namespace["generated_ids"].shape[1] > run.namespace["model_inputs"].input_ids.shape[1]
    )
