from harness.suite import clis


def test_is_satisfied_by_the_tested_environment(snippet):
    clis.pip_dry_run(snippet.source(), snippet.where())
