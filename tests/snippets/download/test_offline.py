import os

from harness.qwen2.facts import MODEL_ID

OFFLINE_CHECK = """
import traceback
from transformers import AutoTokenizer
AutoTokenizer.from_pretrained({cached!r})
print("cached: loaded")
try:
    AutoTokenizer.from_pretrained({absent!r})
except Exception:
    traceback.print_exc()  # the whole chain: huggingface_hub's error is its cause
    print("absent: raised")
else:
    print("absent: loaded")
"""


def test_loads_from_the_cache_and_fails_fast_without(snippet, shell_then_python):
    """The snippet, then a new interpreter (huggingface_hub reads the variable when it is
    imported): the cached model loads; one that is not cached raises at once, naming offline
    mode."""
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    code = OFFLINE_CHECK.format(cached=MODEL_ID, absent="Qwen/Qwen2-0.5B-Instruct")
    done = shell_then_python(snippet.source(), code, env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:2] == ["cached: loaded", "absent: raised"], (
        done.stdout,
        done.stderr[-2000:],
    )
    assert "outgoing traffic has been disabled" in done.stderr, done.stderr[-2000:]
