"""The canary's issue text (harness/tools/report.py), on hand-made failing junit results, and
its versions table (harness/tools/pins.py)."""

from __future__ import annotations

from harness.site.pages import SITE
from harness.tools import report

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="0" failures="1" tests="2">
<testcase classname="tests.snippets.test_transformers" name="test_generate_answers">
  <properties><property name="snippet" value="transformers/generate.py"/></properties>
  <failure message="SnippetError: snippets/transformers/generate.py raised TypeError">{lines}
TypeError: Qwen2ForCausalLM.__init__() got an unexpected keyword argument 'dtype'</failure>
</testcase>
<testcase classname="tests.snippets.test_transformers" name="test_chat_template_output">
  <properties><property name="snippet" value="transformers/print_prompt.py"/>
    <property name="snippet_at_fault" value="transformers/generate.py"/></properties>
  <failure message="x">SnippetError: {where} raised TypeError</failure>
</testcase>
<testcase classname="tests.test_site" name="test_ok"/>
</testsuite></testsuites>
"""
HARNESS_ONLY = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" tests="2">
<testcase classname="tests.snippets.test_server" name="test_curl_chat_completion">
  <properties><property name="snippet" value="vllm/chat_completions.sh"/></properties>
  <error message="failed on setup">RuntimeError: transformers serve exited with 1</error>
</testcase>
<testcase classname="tests.test_standin" name="test_special_tokens_have_qwen2_ids">
  <failure message="x">AssertionError: special token ids moved</failure>
</testcase>
</testsuite></testsuites>
"""
VERSIONS = {"transformers": "4.55.4", "torch": "99.0.0", "openai": "3.54.0"}


def test_issue_names_versions_pages_lines_and_the_error(tmp_path):
    junit = tmp_path / "junit.xml"
    lines = "\n".join(f"frame {n}" for n in range(40))
    junit.write_text(JUNIT.format(lines=lines, where=SITE.where("transformers/generate.py")))
    text = report.issue_text(junit, VERSIONS)
    span = "{0} to {1}".format
    transformers, torch = (SITE.verified_versions[n] for n in ("transformers", "torch"))
    assert f"| `transformers` | 4.55.4 | {span(*transformers)} | **older than verified** |" in text
    assert f"| `torch` | 99.0.0 | {span(*torch)} | **newer than verified** |" in text
    # The same snippet-to-page mapping as the suite's own failure messages.
    assert f"### {SITE.where('transformers/generate.py')}" in text
    assert "docs/quickstart.md:" in text and "docs/chat.zh.md:" in text
    assert text.count("### ") == 1, "only the failing test is reported"
    assert report.pages_broken(junit) and "## The suite itself" not in text
    # A test that failed because the snippet it continues failed is listed under that snippet.
    assert (
        "Failing tests: `tests.snippets.test_transformers::test_generate_answers`, "
        "`tests.snippets.test_transformers::test_chat_template_output`"
    ) in text
    assert "unexpected keyword argument 'dtype'" in text
    assert "frame 39" in text and "frame 20" not in text, "the last lines of the error only"


def test_a_broken_harness_is_not_reported_as_a_broken_page(tmp_path):
    """A server that does not start (a fixture error) and a failing test of no snippet say
    nothing about the pages: the title and the body say it is the suite."""
    junit = tmp_path / "junit.xml"
    junit.write_text(HARNESS_ONLY)
    assert not report.pages_broken(junit)
    title = report.issue_title(VERSIONS, report.pages_broken(junit))
    assert title.startswith("Newest releases break the test suite, not a page: transformers 4.55.4")
    text = report.issue_text(junit, VERSIONS)
    assert "0 snippet(s) on the pages, 2 in the suite itself" in text
    assert "## Pages" not in text and "## The suite itself" in text
    assert "### `tests.snippets.test_server::test_curl_chat_completion` (error)" in text
    assert "transformers serve exited with 1" in text
