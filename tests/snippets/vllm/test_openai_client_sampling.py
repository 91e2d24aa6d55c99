def test_sampling_parameters_reach_the_server(run):
    """What the client sends is what the page annotates. The page does not promise that the seed
    makes answers repeatable (vLLM does not for `vllm serve`), and this test does not check it."""
    request = run.record.exchanges[0].request
    assert (request["temperature"], request["top_p"], request["seed"]) == (0.7, 0.8, 42)
    assert request["max_tokens"] == 512
    answer = run.namespace["chat_response"].choices[0].message.content
    assert run.printed == answer + "\n"
