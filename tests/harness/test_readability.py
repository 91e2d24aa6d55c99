"""harness/tools/readability.py on small pages: what is main text, the counts in both languages,
where sentences end, the release rule, line breaks between Chinese characters, the targets."""

from __future__ import annotations

import dataclasses
import json

import pytest

from harness.tools import readability
from harness.tools.readability import count, measure_html, names_release, sentences, source


def page(body: str, lang: str = "en") -> readability.Measurement:
    html = (
        '<html><body><p>Not in the article at all.</p><article class="md-content__inner '
        f'md-typeset">{body}</article><footer>Not this either.</footer></body></html>'
    )
    return measure_html(html, lang, "zh/p/index.html" if lang == "zh" else "p/index.html")


CODE = (
    '<div class="language-python highlight"><pre><span></span><code>'
    '<span class="n">x</span> = 1  # words in code\n</code></pre></div>\n'
)


def test_main_text_leaves_out_code_annotations_collapsed_notes_and_generated_lines():
    m = page(
        '<h1 id="t">A page title<a class="headerlink" href="#t">&para;</a></h1>\n'
        '<p class="verified-versions">Tested with transformers 4.56.0 to 5.23.0.</p>\n'
        '<p class="notebook-links">This page as a notebook: download it.</p>\n'
        "<p>One two three <code>four</code> five.</p>\n"  # inline code is read
        "<ol>\n<li>A list that is no annotation list.</li>\n</ol>\n"
        f"{CODE}<ol>\n<li>An annotation, shown in the code.</li>\n</ol>\n"
        '<details class="note"><summary>Collapsed note</summary><p>Hidden body.</p></details>\n'
        '<details class="tip" open><summary>Open note</summary><p>Shown body text.</p></details>\n'
        '<script>var s = "no words";</script><style>p { color: red }</style>\n'
    )
    assert m.words == 3 + 5 + 7 + 2 + 3
    assert m.before_code == 3 + 5 + 7


def test_a_code_block_in_a_collapsed_note_is_not_the_first_code():
    m = page(
        "<p>Before the code.</p>"
        f'<details class="note"><summary>Note</summary>{CODE}</details>'
        f"<p>Still before it.</p>{CODE}<p>After it.</p>"
    )
    assert (m.words, m.before_code) == (3 + 3 + 2, 3 + 3)


def test_gpu_labels_are_counted_apart_and_are_no_sentences():
    m = page(
        '<p class="gpu-run"><span class="twemoji"><svg><path d="M1 2"/></svg></span> '
        '<a href="../testing/#gpu" title="This block needs an NVIDIA GPU.">GPU only · not yet '
        "run</a></p>\n<p>Then load the model.</p>"
    )
    assert (m.gpu_marker_words, m.words) == (5, 9)
    assert (m.mean_sentence, m.max_sentence) == (4.0, 4)


def test_english_sentences_end_at_a_stop_before_a_space_only():
    text = "Use it, e.g. with check_machine.py and version 4.56. Then stop (really) here! Why not?"
    assert sentences(text, "en") == [
        "Use it, e.g. with check_machine.py and version 4.56.",
        "Then stop (really) here!",
        "Why not?",
    ]
    assert sentences("It said “Done.” Then it stopped.", "en") == [
        "It said “Done.”",
        "Then it stopped.",
    ]


def test_sentence_statistics_take_paragraphs_and_list_items_one_block_each():
    m = page(
        "<h2>A long heading with very many words in it</h2>\n"
        "<table><tr><th>A header cell with words</th></tr><tr><td>A cell of five words</td></tr>"
        "</table>\n"
        '<div class="admonition note"><p class="admonition-title">A title of the note</p>'
        "<p>The note's body has six words.</p></div>\n"
        "<ul><li>First item has four</li><li>Second item has four too</li></ul>\n"
        "<p>Too short.</p><p>This paragraph has two sentences. Its second one is longer than "
        "the first.</p>"
    )
    assert m.max_sentence == 8
    assert m.mean_sentence == round((6 + 4 + 5 + 5 + 8) / 5, 1)


def test_chinese_counts_characters_and_latin_words():
    assert count("运行 Qwen2-7B-Instruct 需要 16 GB 内存。", "zh") == 6 + 3
    assert count("先运行 check_machine.py，再看 4.56。", "zh") == 5 + 2
    m = page("<p>第一句话很短。第二句话也不长！</p><p>短句。</p>", "zh")
    assert m.words == 6 + 7 + 2
    assert (m.mean_sentence, m.max_sentence) == (6.5, 7)
    assert sentences("一句；两句。", "zh") == ["一句；", "两句。"]


def test_chinese_line_breaks_are_counted_outside_code():
    m = page(
        "<p>中文\n中文，<code>代码\n代码</code>\n中文</p>\n"  # one, then none in or beside <code>
        "<pre><code>中\n文</code></pre>\n"
        "<p><strong>粗体</strong>\n  文字，中文\nQwen2 的模型</p>\n"  # across <strong>, not Qwen2
        '<details class="note"><summary>注</summary><p>折叠的\n内容</p></details>\n'
        "<ul>\n<li>一</li>\n<li>二</li>\n</ul>",  # between block tags: renders as nothing
        "zh",
    )
    assert m.cjk_breaks == 3
    assert page("<p>中文\n中文</p>").cjk_breaks == 0  # counted on Chinese pages only


@pytest.mark.parametrize(
    "sentence",
    [
        "The examples need transformers 4.56 or newer.",
        'pip install "transformers>=4.56" torch',
        "On every change, vllm 0.33.0 parses each command.",
        "SDPA has its own kernel since PyTorch 2.2.",
        "4.37.0",
        "Older versions call it 4.55 and earlier.",
        "需要 transformers 4.37 或更新的版本。",
        "需要 4.56 或更新的版本。",
    ],
)
def test_a_sentence_names_a_release(sentence):
    assert names_release(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The weights need 15.2 GB of memory.",
        "1 GiB is 1.074 GB.",
        "It writes 12.5 tokens per second, 2.5x faster, in 0.8 s.",
        "Set temperature=0.7 for this.",
        "Those are temperature 0.7, top-p 0.8 and a repetition penalty of 1.05.",
        "A share as high as 0.95 works.",
        "66.9",
        "Run check_machine.py first, then Qwen2.5-7B-Instruct.",
        "The server listens on http://127.0.0.1:8000.",
        "权重约 15.2 GB。",
        "生成约需 1.5 秒。",
        "温度 0.7 时回答更稳定。",
    ],
)
def test_a_sentence_names_no_release(sentence):
    assert not names_release(sentence)


def test_release_sentences_include_cells_but_not_collapsed_notes():
    m = page(
        "<p>Install transformers 4.56 or newer. It needs 15.2 GB.</p>"
        "<table><tr><td>4.37.0</td><td>66.9</td></tr></table>"
        '<details class="note"><summary>Older</summary><p>vLLM 0.33.0 too.</p></details>'
    )
    assert m.release_sentences == 2


def test_built_pages_map_to_their_markdown():
    assert source("quickstart/index.html") == "docs/quickstart.md"
    assert source("zh/quickstart/index.html") == "docs/quickstart.zh.md"
    assert source("index.html") == "docs/index.md"
    assert source("zh/index.html") == "docs/index.zh.md"


def measured(built: str, **values) -> readability.Measurement:
    lang = "zh" if built.startswith("zh/") else "en"
    return dataclasses.replace(measure_html("", lang, built), **values)


def test_violations_name_the_page_and_the_limit():
    pages = [
        measured("quickstart/index.html", words=1636, mean_sentence=18.4),
        measured("zh/quickstart/index.html", words=2502, cjk_breaks=30),
        measured("troubleshooting/index.html", release_sentences=22),
        measured("zh/index.html", before_code=201),
    ]
    assert readability.violations(pages) == [
        "docs/quickstart.md (built: quickstart/index.html): 1,636 words of main text "
        "(at most 1,500)",
        "docs/index.zh.md (built: zh/index.html): 201 characters of main text before the first "
        "code (at most 200)",
        "docs/quickstart.md (built: quickstart/index.html): 18.4 words per sentence on average "
        "(at most 18)",
        "docs/quickstart.zh.md (built: zh/quickstart/index.html): 30 line breaks between Chinese "
        "characters (at most 0)",
    ]
    assert {t.metric for t in readability.TARGETS} <= {
        f.name for f in dataclasses.fields(readability.Measurement)
    }


def test_the_command_reads_every_page_and_fails_with_check(tmp_path, capsys):
    def write(rel, body):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(
            f'<article class="md-content__inner">{body}</article>', encoding="utf-8"
        )

    for rel in ("index.html", "chat/index.html", "zh/index.html", "zh/chat/index.html"):
        write(rel, "<p>A short page.</p>")
    for rel in ("404.html", "search/index.html", "assets/x/index.html", "notebooks/index.html"):
        write(rel, "<p>Not a page.</p>")
    assert [m.built for m in readability.measure_site(tmp_path)] == [
        "index.html",
        "chat/index.html",
        "zh/index.html",
        "zh/chat/index.html",
    ]
    assert readability.main([str(tmp_path), "--check"]) == 0
    assert "| chat | en | 3 | 0 | 0 |" in capsys.readouterr().out
    write("zh/chat/index.html", "<p>中文\n中文</p>")
    assert readability.main([str(tmp_path), "--check", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["violations"] == [
        "docs/chat.zh.md (built: zh/chat/index.html): 1 line breaks between Chinese characters "
        "(at most 0)"
    ]
    assert out["pages"][3]["cjk_breaks"] == 1
