def test_renders_the_same_prompt_with_tools(run):
    assert run.printed == "True\n"
    assert "get_current_weather" not in run.namespace["with_tools"]
