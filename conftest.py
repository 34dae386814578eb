"""Root conftest for tokcheck's own tests: pytester, for testing the plugin the way users run it."""

pytest_plugins = ["pytester"]
