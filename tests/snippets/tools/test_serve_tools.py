def test_sets_what_the_page_says(sets):
    sets(
        enable_auto_tool_choice=True,
        tool_call_parser="hermes",
        chat_template="qwen2_tool_template.jinja",
    )
