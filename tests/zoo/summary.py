"""The end-of-run table of the zoo's fidelity figures (strings compared, mismatches per tokenizer).

tests/zoo/conftest.py prints it for ``pytest tests/zoo``; for a whole-suite run under xdist the
controller never imports that conftest, so tests/conftest.py can list this module in
``pytest_plugins`` to print it there too."""

from __future__ import annotations

from typing import Any

FIDELITY_PROPERTY = "zoo-fidelity"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = [
        value
        for status in ("passed", "failed")
        for test_report in terminalreporter.stats.get(status, [])
        for key, value in getattr(test_report, "user_properties", [])
        if key == FIDELITY_PROPERTY and getattr(test_report, "when", "call") == "call"
    ]
    if lines:
        terminalreporter.section("zoo fidelity (strings compared, mismatches)")
        for line in sorted(lines):
            terminalreporter.write_line(line)
