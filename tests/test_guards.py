"""The integrity rules catch the defects that have shipped in Qwen docs before.

Each case plants one defect in a scratch copy of docs/ and snippets/ and calls the rules on it, in
this process; the problems must name the file at fault, and only the planted defect may show.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.site import rules
from harness.site.pages import Site
from harness.site.paths import ROOT

pytestmark = pytest.mark.timeout(60)


def edit(path: str, old: str, new: str):
    def plant(root: Path) -> None:
        file = root / path
        text = file.read_text(encoding="utf-8")
        assert old in text, f"{path} no longer contains {old!r}: update this guard"
        file.write_text(text.replace(old, new, 1), encoding="utf-8")

    return plant


def delete(path: str):
    return lambda root: (root / path).unlink()


def orphan(root: Path) -> None:
    """A snippet declared in snippets.toml that no page includes."""
    (root / "snippets/transformers/orphan.py").write_text("print('on no page')\n")
    with open(root / "snippets/snippets.toml", "a", encoding="utf-8") as toml:
        toml.write('\n["transformers/orphan.py"]\n')


# case: (plant, the rule that must catch it, the file its message must name)
CASES = {
    "snippet on no page": (orphan, "every_snippet_is_on_a_page", "snippets/transformers/orphan.py"),
    "prose line wrapped to start with #": (
        edit(
            "docs/chat.md",
            "run into this (QwenLM/Qwen3 issue #805;\nvLLM issues #8196",
            "run into this (QwenLM/Qwen3 issue\n#805; vLLM issues #8196",
        ),
        "headings_have_ascii_anchors",
        "docs/chat.md:",
    ),
    "inline code block": (
        edit("docs/chat.md", "## Next steps", "```python\nprint('untested')\n```\n\n## Next steps"),
        "every_code_block_is_a_snippet_include",
        "docs/chat.md:",
    ),
    "missing Chinese annotation item": (
        edit("docs/chat.zh.md", "        10. 解码回答，并去掉特殊 token。\n", ""),
        "annotation_markers_and_lists_match",
        "docs/chat.zh.md:",
    ),
    "malformed marker": (
        edit("snippets/transformers/generate.py", "# (10)!", "# ()!"),
        "annotation_markers_and_lists_match",
        "snippets/transformers/generate.py:",
    ),
    "an issue number wrapped to the start of a line": (
        edit(
            "docs/llamacpp.md",
            "(llama.cpp pull request #17120)",
            "(llama.cpp pull request\n#17120)",
        ),
        "no_line_starts_with_a_number_sign",
        "docs/llamacpp.md:",
    ),
    "a figure changed in one language": (
        edit("docs/index.zh.md", "8.7 GB", "8.9 GB"),
        "translations_state_the_same_figures",
        "docs/index.zh.md:",
    ),
    "mistyped mirror address": (
        edit("snippets/download/mirror.sh", "hf-mirror.com", "hf-mirrors.com"),
        "commands_use_declared_addresses",
        "snippets/download/mirror.sh:1",
    ),
    "space after backslash": (
        edit("snippets/vllm/chat_completions.sh", "completions \\\n", "completions \\ \n"),
        "shell_snippets_are_well_formed",
        "snippets/vllm/chat_completions.sh:",
    ),
    "trailing comma in JSON": (
        edit("snippets/vllm/chat_completions.sh", 'models."}\n    ]', 'models."},\n    ]'),
        "shell_snippets_are_well_formed",
        "snippets/vllm/chat_completions.sh",
    ),
    "python snippet in a bash fence": (
        edit(
            "docs/vllm.md",
            '```python\n        --8<-- "vllm/openai_client.py"',
            '```bash\n        --8<-- "vllm/openai_client.py"',
        ),
        "fence_language_matches_the_snippet",
        "docs/vllm.md:",
    ),
    "missing Chinese page": (
        delete("docs/chat.zh.md"),
        "every_page_exists_in_every_language",
        "docs/chat.zh.md",
    ),
    "broken anchor": (
        edit("docs/quickstart.md", "(chat.md#streaming)", "(chat.md#streamin)"),
        "internal_links_resolve",
        "docs/quickstart.md:",
    ),
    "deprecated torch_dtype": (
        edit("snippets/transformers/flash_attention.py", "dtype=", "torch_dtype="),
        "python_snippets_avoid_known_pitfalls",
        "snippets/transformers/flash_attention.py:",
    ),
    "positional BatchEncoding": (
        edit("snippets/transformers/text_streamer.py", "**model_inputs", "model_inputs"),
        "python_snippets_avoid_known_pitfalls",
        "snippets/transformers/text_streamer.py:",
    ),
    "missing snippet": (
        delete("snippets/transformers/print_prompt.py"),
        "every_include_exists",
        "docs/quickstart.md:",
    ),
    "snippet not declared": (
        edit("snippets/snippets.toml", '["transformers/greedy.py"]\n', '["transformers/greedy"]\n'),
        "every_snippet_is_declared_once",
        "snippets/transformers/greedy.py",
    ),
    "page without its own description": (
        edit("docs/chat.zh.md", "description:", "summary:"),
        "pages_have_their_own_description",
        "docs/chat.zh.md:1",
    ),
    "inline code glued to a word": (
        edit(
            "docs/troubleshooting.md",
            "`ValueError: Bfloat16 is only supported on GPUs with compute capability of at least "
            "8.0.`",
            "`ValueError: Bfloat16 is only supported ... setting the`dtype` flag`",
        ),
        "inline_code_renders_as_written",
        "docs/troubleshooting.md:",
    ),
    "inline code holding a backtick": (
        edit("docs/chat.md", "## Next steps", "Run ``a`b`` first.\n\n## Next steps"),
        "inline_code_renders_as_written",
        "docs/chat.md:",
    ),
    "a page left out of the home page": (
        edit("docs/index.zh.md", "- [常见问题排查](troubleshooting.md)", "- 常见问题排查"),
        "home_page_lists_every_page",
        "docs/index.zh.md",
    ),
    "a GPU run claimed by hand": (
        edit("docs/quickstart.md", "## Install", "This block was verified on a GPU.\n\n## Install"),
        "gpu_claims_come_from_the_record",
        "docs/quickstart.md:",
    ),
    "translation with another include": (
        edit(
            "docs/chat.zh.md", '--8<-- "transformers/greedy.py"', '--8<-- "transformers/batch.py"'
        ),
        "translations_have_the_same_structure",
        "docs/chat.zh.md",
    ),
    "a Chinese word the glossary avoids, across a line break": (
        edit("docs/chat.zh.md", "分词器的对话模板把对话", "分词器的聊天\n模板把对话"),
        "chinese_pages_use_the_glossary",
        "docs/chat.zh.md:",
    ),
}


def copy_of_site(tmp_path: Path, plant=None) -> Site:
    for part in ("docs", "snippets"):
        shutil.copytree(ROOT / part, tmp_path / part)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    if plant:
        plant(tmp_path)
    return Site(tmp_path)


def test_rules_pass_on_a_clean_copy(tmp_path):
    """So that a problem below comes from the planted defect."""
    problems = {k: v for k, v in rules.check(copy_of_site(tmp_path)).items() if v}
    assert not problems, problems


@pytest.mark.parametrize("case", CASES)
def test_planted_defect_is_caught_with_its_location(case, tmp_path):
    plant, rule, culprit = CASES[case]
    found = rules.check(copy_of_site(tmp_path, plant))
    assert found[rule], f"{case}: rule {rule} found nothing"
    assert any(culprit in p for p in found[rule]), f"{case}: no problem names {culprit}: {found}"
