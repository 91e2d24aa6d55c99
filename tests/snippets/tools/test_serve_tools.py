def test_sets_what_the_page_says(sets):
    sets(
        enable_auto_tool_choice=True,
        tool_call_parser="hermes",
        chat_template="qwen2_tool_template.jinja",
    )


def test_the_named_parser_reads_the_templates_replies(vllm_cli, runner, tokenizer):
    """The reply the template asks for, in the form the chat page's own parser reads, read by
    the tool-call parser the command names, with Qwen2's tokenizer. In Qwen2's vocabulary
    `<tool_call>` is several tokens: vLLM 0.10.0 and older refuse such a tokenizer ("Hermes 2
    Pro Tool parser could not locate tool call start/end tokens in the tokenizer!")."""
    assert "<tool_call>" not in tokenizer.get_vocab()
    page = runner.result("tools/parse_tool_calls.py").namespace
    assert vllm_cli["tool_calls"] == page["parse_tool_calls"](page["reply"])
