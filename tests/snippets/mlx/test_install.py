from harness.suite import clis


def test_names_the_package_the_suite_runs(snippet, mlx_bin):
    clis.pip_dry_run(snippet.source(), snippet.where(), str(mlx_bin / "python"))
