"""A check's verdict: its findings travel on the test report (so they reach the drift report from
xdist workers too), accepted drift is recorded as such, and the test fails with the findings said
readably when any fails."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tokcheck.findings import Finding, Severity
from tokcheck.plugin.verdict import FINDINGS_PROPERTY, Verdict


@dataclass
class Node:
    user_properties: list[tuple[str, Any]] = field(default_factory=list)


ERROR = Finding("special_roles", "roles.eos-changed", Severity.ERROR, "eos changed", where="tokenizer_config.json: eos_token",
                fix="restore eos_token", detail="line 1\nline 2")
WARNING = Finding("special_roles", "roles.pad-is-eos", Severity.WARNING, "pad is eos")


def test_recorded_findings_ride_on_the_report_as_plain_dicts() -> None:
    node = Node()
    Verdict(node, strict=False).record([ERROR, WARNING])
    [(name, value)] = node.user_properties
    assert name == FINDINGS_PROPERTY and [Finding.from_dict(item) for item in value] == [ERROR, WARNING]


def test_an_error_fails_with_where_fix_and_detail() -> None:
    with pytest.raises(pytest.fail.Exception) as failure:
        Verdict(Node(), strict=False).conclude([WARNING, ERROR])
    assert str(failure.value) == (
        "[error] eos changed\n    where: tokenizer_config.json: eos_token\n    fix: restore eos_token\n"
        "    line 1\n    line 2"
    )


def test_warnings_pass_unless_strict() -> None:
    Verdict(Node(), strict=False).conclude([WARNING])
    with pytest.raises(pytest.fail.Exception, match=r"\[warning\] pad is eos"):
        Verdict(Node(), strict=True).conclude([WARNING])


def test_accepted_drift_passes_and_is_recorded_as_accepted() -> None:
    node = Node()
    Verdict(node, strict=True, accept=("roles.*",)).conclude([ERROR, WARNING])
    [(_, value)] = node.user_properties
    assert [item["message"] for item in value] == ["(accepted, was error) eos changed", "(accepted, was warning) pad is eos"]
