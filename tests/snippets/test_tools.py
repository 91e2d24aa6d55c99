"""The tool-calling page: Qwen2's own template drops `tools` (rendered with the real template),
the Hermes-style template renders tools and tool turns and is Qwen2's own without them, and the
parser reads the calls that template's format describes. Whether the model chooses to call a
tool only a real model shows: the stand-in's weights are random."""

from __future__ import annotations

import pytest

from harness.model.site import SITE

TEMPLATE = "tools/qwen2_tool_template.jinja"
CONVERSATIONS = [
    [{"role": "user", "content": "Hi"}],
    [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Hi"}],
    [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": "Bye"},
    ],
]


@pytest.mark.snippet("tools/template_ignores_tools.py")
def test_qwen2_template_renders_the_same_prompt_with_tools(snippet):
    run = snippet.run()
    assert run.printed == "True\n"
    assert "get_current_weather" not in run.namespace["with_tools"]
    snippet.check_output(run.printed)


@pytest.mark.snippet(TEMPLATE)
def test_tool_template_without_tools_is_qwen2s_own(snippet, tokenizer):
    template = snippet.source()
    for messages in CONVERSATIONS:
        for generation_prompt in (True, False):
            ours = tokenizer.apply_chat_template(
                messages,
                chat_template=template,
                tokenize=False,
                add_generation_prompt=generation_prompt,
            )
            own = tokenizer.apply_chat_template(
                messages, tokenize=False, add_generation_prompt=generation_prompt
            )
            assert ours == own, messages


@pytest.mark.snippet("tools/tool_template.py")
def test_tool_template_lists_the_tools_and_renders_tool_turns(snippet):
    run = snippet.run()  # in a folder with the template saved in it (`reads`)
    text = run.namespace["text"]
    assert text.startswith("<|im_start|>system\nYou are a helpful assistant.\n\n# Tools\n\n")
    assert '"name": "get_current_weather"' in text and "<tool_call>" in text
    assert text.endswith("<|im_start|>assistant\n")
    snippet.check_output(run.printed)
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


@pytest.mark.snippet("tools/parse_tool_calls.py")
def test_parser_reads_the_call(snippet):
    run = snippet.run()
    assert run.namespace["parse_tool_calls"](run.namespace["reply"]) == [
        {"name": "get_current_weather", "arguments": {"location": "Beijing"}}
    ]
    snippet.check_output(run.printed)
