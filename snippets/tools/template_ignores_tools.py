def get_current_weather(location: str) -> str:
    """Get the current weather in a city.

    Args:
        location: The city, for example Beijing.
    """
    return "Sunny, 25 °C"


with_tools = tokenizer.apply_chat_template(
    messages,
    tools=[get_current_weather],  # (1)!
    tokenize=False,
    add_generation_prompt=True,
)
print(with_tools == text)
