from pathlib import Path

tool_template = Path("qwen2_tool_template.jinja").read_text()
text = tokenizer.apply_chat_template(
    messages,
    tools=[get_current_weather],
    chat_template=tool_template,  # (1)!
    tokenize=False,
    add_generation_prompt=True,
)
print(text)
