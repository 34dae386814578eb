"""The end-of-run table of the zoo's fidelity figures (strings compared, mismatches per tokenizer).

tests/zoo/conftest.py prints it for ``pytest tests/zoo``; for a whole-suite run under xdist the
controller never imports that conftest, so tests/conftest.py can list this module in
``pytest_plugins`` to print it there too."""

from __future__ import annotations

from typing import Any

FIDELITY_PROPERTY = "zoo-fidelity"
CATCH_PROPERTY = "zoo-catch"


def _recorded(terminalreporter: Any, key: str) -> list[str]:
    return [
        value
        for status in ("passed", "failed")
        for test_report in terminalreporter.stats.get(status, [])
        for name, value in getattr(test_report, "user_properties", [])
        if name == key and getattr(test_report, "when", "call") == "call"
    ]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    _catch_rate(terminalreporter)
    lines = _recorded(terminalreporter, FIDELITY_PROPERTY)
    if lines:
        terminalreporter.section("zoo fidelity (strings compared, mismatches)")
        for line in sorted(lines):
            terminalreporter.write_line(line)


def _catch_rate(terminalreporter: Any) -> None:
    lines = sorted(_recorded(terminalreporter, CATCH_PROPERTY))
    if not lines:
        return
    drift = [line for line in lines if "  drift  " in line]
    benign = [line for line in lines if "  benign  " in line]
    caught = sum(line.startswith("caught") for line in drift)
    passed = sum(line.startswith("passed") for line in benign)
    terminalreporter.section("zoo drift mutants: catch rate")
    terminalreporter.write_line(f"caught {caught}/{len(drift)} drift mutants; {passed}/{len(benign)} benign variants pass")
    for line in lines:
        if not line.startswith(("caught", "passed")):
            terminalreporter.write_line(line)
