import json

import pytest

CALL = {"name": "get_current_weather", "arguments": {"location": "Beijing"}}
OTHER = {"name": "get_current_weather", "arguments": {"location": "Shanghai"}}


def block(call: dict) -> str:
    return f"<tool_call>\n{json.dumps(call)}\n</tool_call>"


def test_reads_the_call(run):
    assert run.namespace["parse_tool_calls"](run.namespace["reply"]) == [CALL]


@pytest.mark.parametrize(
    ("reply", "calls"),
    [
        ("The weather? Let me check.", []),  # an answer, no call
        (block(CALL) + "\n" + block(OTHER), [CALL, OTHER]),  # two calls: every one, in order
        ("Let me check.\n" + block(CALL) + "\nOne moment.", [CALL]),  # text around a call
        (block(CALL).replace("\n", ""), [CALL]),  # no newlines inside the tags
    ],
)
def test_reads_every_call_in_a_reply(run, reply, calls):
    """What its docstring promises, "the calls in a reply", for replies of other shapes than
    the page's one call."""
    assert run.namespace["parse_tool_calls"](reply) == calls
