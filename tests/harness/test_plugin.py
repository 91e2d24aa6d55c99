"""pytest's own configuration for a suite whose background threads import modules while tests run
(harness/suite/background.py)."""


def test_no_plugin_walks_the_registry_of_loggers_unlocked(pytestconfig):
    """Importing a module may create a logger. pytest's logging plugin walks logging's registry of
    loggers at the start of every test phase without logging's lock (catching_logs.__enter__ in
    _pytest/logging.py), so a logger that a background thread creates meanwhile fails that phase
    with "RuntimeError: dictionary changed size during iteration" (seen once in 26 runs of the
    suite). pyproject.toml's addopts turn the plugin off."""
    plugins = pytestconfig.pluginmanager
    assert plugins.is_blocked("logging"), "pytest's logging plugin is on: add `-p no:logging`"
    assert plugins.get_plugin("logging-plugin") is None
