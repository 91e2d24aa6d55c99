def test_reads_the_call(run):
    assert run.namespace["parse_tool_calls"](run.namespace["reply"]) == [
        {"name": "get_current_weather", "arguments": {"location": "Beijing"}}
    ]
