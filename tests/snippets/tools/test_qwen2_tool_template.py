CONVERSATIONS = [
    [{"role": "user", "content": "Hi"}],
    [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Hi"}],
    [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": "Bye"},
    ],
]


def test_without_tools_is_qwen2s_own(snippet, tokenizer):
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


TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_current_weather",
            "description": "Get the current weather in a given location",
            "parameters": {
                "type": "object",
                "properties": {"location": {"type": "string"}},
                "required": ["location"],
            },
        },
    }
]
CALL = {"type": "function", "function": {"name": "get_current_weather"}}
CALL["function"]["arguments"] = {"location": "Beijing"}
ROUND = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is the weather like in Beijing?"},
    {"role": "assistant", "content": "", "tool_calls": [CALL]},
    {"role": "tool", "content": '{"temperature": 20}'},
]


def test_with_a_system_message_is_qwen25s_own(snippet, tokenizer):
    """What the chat page says: the wording is Qwen2.5's template's (its copy in llama.cpp's
    source tree, which the suite builds), word for word once a system message is given; only
    the default system prompt differs."""
    from harness import llamacpp

    qwen25 = (llamacpp.ensure() / "models/templates/Qwen-Qwen2.5-7B-Instruct.jinja").read_text()

    def render(messages, template):
        return tokenizer.apply_chat_template(
            messages,
            tools=TOOLS,
            chat_template=template,
            tokenize=False,
            add_generation_prompt=True,
        )

    for messages in (ROUND[:2], ROUND):
        assert render(messages, snippet.source()) == render(messages, qwen25), messages
    ours, theirs = render(ROUND[1:2], snippet.source()), render(ROUND[1:2], qwen25)
    assert (
        ours.replace(
            "You are a helpful", "You are Qwen, created by Alibaba Cloud. You are a helpful", 1
        )
        == theirs
    )
