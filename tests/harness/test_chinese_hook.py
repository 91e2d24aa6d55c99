"""harness/hooks/chinese.py: a line break between two Chinese characters goes, nothing else."""

from __future__ import annotations

import pytest

from harness.hooks.chinese import join_chinese_lines

CASES = {
    "between two ideographs": ("<p>中文\n中文</p>", "<p>中文中文</p>"),
    "with the indentation of a list item's next line": (
        "<li>第一行，\n    第二行。</li>",
        "<li>第一行，第二行。</li>",
    ),
    "after full-width punctuation": ("<p>（见\n下文）：\n再看</p>", "<p>（见下文）：再看</p>"),
    "across inline tags": (
        '<p>中文\n<a href="x">链接</a>和<strong>粗体</strong>\n中文</p>',
        '<p>中文<a href="x">链接</a>和<strong>粗体</strong>中文</p>',
    ),
    "three lines": ("<p>一\n二\n三</p>", "<p>一二三</p>"),
}

KEPT = {
    "code block": '<pre><code class="language-python">print("中文\n中文")</code></pre>',
    "inline code": "<p><code>中文\n中文</code></p>",
    "script": '<script>var s = "中文\n中文";</script>',
    "a Latin word after": "<p>中文\nQwen2 的模型</p>",
    "a Latin word before": "<p>运行 vLLM\n服务器</p>",
    "a digit": "<p>需要\n16 GB</p>",
    "block tags between": "<ul>\n<li>中文</li>\n<li>中文</li>\n</ul>",
    "a blank line": "中文\n\n中文",
}


@pytest.mark.parametrize("case", CASES)
def test_joins_chinese_lines(case):
    html, joined = CASES[case]
    assert join_chinese_lines(html) == joined


@pytest.mark.parametrize("case", KEPT)
def test_leaves_the_rest_alone(case):
    assert join_chinese_lines(KEPT[case]) == KEPT[case]


def test_joins_around_code_but_not_in_it():
    html = "<p>先\n运行<code>中文\n中文</code>，然后\n再看。</p>\n<pre>中\n文</pre>"
    assert join_chinese_lines(html) == (
        "<p>先运行<code>中文\n中文</code>，然后再看。</p>\n<pre>中\n文</pre>"
    )
