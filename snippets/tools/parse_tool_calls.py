import json
import re


def parse_tool_calls(reply: str) -> list[dict]:
    """The calls in a reply, each {"name": ..., "arguments": {...}}."""
    blocks = re.findall(r"<tool_call>\s*(.*?)\s*</tool_call>", reply, re.DOTALL)
    return [json.loads(block) for block in blocks]  # (1)!


reply = (
    "<tool_call>\n"
    '{"name": "get_current_weather", "arguments": {"location": "Beijing"}}\n'
    "</tool_call>"
)
print(parse_tool_calls(reply))
