from harness.site.pages import SITE


def test_lists_the_tools_and_renders_tool_turns(run):
    """Run in a folder with the template saved in it (`reads`)."""
    text = run.namespace["text"]
    assert text.startswith("<|im_start|>system\nYou are a helpful assistant.\n\n# Tools\n\n")
    assert '"name": "get_current_weather"' in text and "<tool_call>" in text
    assert text.endswith("<|im_start|>assistant\n")
    # A whole round: the model's call and the tool's answer, as the next request renders them.
    tokenizer, template = run.namespace["tokenizer"], run.namespace["tool_template"]
    call = {"name": "get_current_weather", "arguments": {"location": "Beijing"}}
    rounds = [
        *run.namespace["messages"],
        {"role": "assistant", "tool_calls": [{"type": "function", "function": call}]},
        {"role": "tool", "content": "Sunny, 25 °C"},
    ]
    rendered = tokenizer.apply_chat_template(
        rounds,
        tools=[run.namespace["get_current_weather"]],
        chat_template=template,
        tokenize=False,
        add_generation_prompt=True,
    )
    # The assistant's turn is what the model wrote: the parser gets the call back from it.
    turn = rendered.split("<|im_start|>assistant\n", 1)[1].split("<|im_end|>", 1)[0]
    namespace = {}
    exec(compile(SITE.snippet_text("tools/parse_tool_calls.py"), "parse", "exec"), namespace)
    assert namespace["parse_tool_calls"](turn) == [call]
    assert "<|im_start|>user\n<tool_response>\nSunny, 25 °C\n</tool_response><|im_end|>" in rendered
