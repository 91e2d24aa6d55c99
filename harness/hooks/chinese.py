"""MkDocs hook: on a Chinese page, a line break between two Chinese characters is no space.

The Chinese pages are wrapped at about 100 columns, like the English ones. Python-Markdown keeps
each break as a newline in the HTML, and Chromium renders a newline between two Chinese characters
as a space (measured: 中文⏎中文 is 10 px wider than 中文中文 at 32 px). So, on pages from
name.zh.md only, on_page_content removes every such break with the indentation around it: where
the characters on both sides are CJK ideographs or CJK or full-width punctuation (CJK in
harness/site/markdown.py), inline tags between them included (中文⏎<strong>中文</strong>).

Left alone: everything inside <pre>, <code>, <script>, <style> and <textarea>; a break between
block tags (</li>⏎<li>), which renders as nothing anyway; and a break next to a Latin word or a
digit (中文⏎Qwen2), which renders as the space Chinese text puts around them anyway.

Material's search plugin indexes page.content in on_page_context, after this hook, so the search
index gets the joined text too. tests/test_site.py checks every built Chinese page;
tests/harness/test_chinese_hook.py checks this function on small cases.
"""

from __future__ import annotations

import re

from harness.site.markdown import CJK
from harness.site.pages import lang_of

# Elements whose text is shown as written.
PROTECTED = re.compile(r"<(pre|code|script|style|textarea)\b.*?</\1\s*>", re.S | re.I)
# Tags that do not end a line of text: a break may sit between one of them and the character.
INLINE = r"</?(?:a|abbr|b|del|em|i|ins|kbd|mark|q|s|small|span|strong|sub|sup|u)\b[^>]*>"
# The character before a break (with the inline tags after it), the break, the inline tags before
# the next character; that character is only looked at, so that it can start the next match.
BREAK = re.compile(rf"([{CJK}](?:{INLINE})*)[ \t]*\n[ \t]*((?:{INLINE})*)(?=[{CJK}])")


def join_chinese_lines(html: str) -> str:
    """The HTML with every line break between two CJK characters removed, outside PROTECTED."""
    out, end = [], 0
    for m in PROTECTED.finditer(html):
        out += [BREAK.sub(r"\1\2", html[end : m.start()]), m.group(0)]
        end = m.end()
    out.append(BREAK.sub(r"\1\2", html[end:]))
    return "".join(out)


def on_page_content(html, page, config, files):
    return join_chinese_lines(html) if lang_of(page.file.src_uri) == "zh" else html
