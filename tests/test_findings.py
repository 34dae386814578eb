"""Findings: report order, what fails (strict or not), plain-dict round trips through xdist, and
accepting intended drift by code pattern and message text."""

from __future__ import annotations

import pytest

from tokcheck.checks.registry import sorted_findings
from tokcheck.findings import Finding, Severity, apply_accepted, failing, matches


def finding(code: str, severity: Severity = Severity.ERROR, check: str = "vocabulary", message: str = "m") -> Finding:
    return Finding(check, code, severity, message)


def test_findings_sort_by_severity_then_check_order_and_keep_each_checks_own_order() -> None:
    found = [
        finding("b.info", Severity.INFO, "special_roles"),
        finding("later", Severity.ERROR, "chat_template"),
        finding("first", Severity.ERROR, "vocabulary"),
        finding("second", Severity.ERROR, "vocabulary"),
        finding("warned", Severity.WARNING, "vocabulary"),
        finding("unknown", Severity.ERROR, "zzz_custom"),
    ]
    assert [f.code for f in sorted_findings(found)] == ["first", "second", "later", "unknown", "warned", "b.info"]


def test_errors_fail_and_warnings_fail_only_when_strict() -> None:
    found = [finding("e"), finding("w", Severity.WARNING), finding("i", Severity.INFO)]
    assert [f.code for f in failing(found, strict=False)] == ["e"]
    assert [f.code for f in failing(found, strict=True)] == ["e", "w"]


def test_a_finding_survives_its_plain_dict() -> None:
    original = Finding("model_rows", "model.ids-without-row", Severity.ERROR, "no row", where="w", base=[1],
                       tuned={"rows": 2}, fix="f", detail="d")
    assert Finding.from_dict(original.to_dict()) == original
    assert original.to_dict()["severity"] == "error"


@pytest.mark.parametrize(
    "pattern, accepted",
    [("roles.pad-is-eos", True), ("roles.*", True), ("config.*", False), ("roles.pad-is-eos:'<|eot_id|>'", True),
     ("roles.pad-is-eos:'</s>'", False), (" roles.pad-is-eos ", True)],
)
def test_accept_patterns_match_the_code_with_wildcards_and_an_optional_message_text(pattern: str, accepted: bool) -> None:
    pad = finding("roles.pad-is-eos", message="tuned sets pad_token to the eos token '<|eot_id|>'")
    assert matches(pad, pattern) is accepted


def test_an_accepted_finding_is_kept_as_info_saying_what_it_was_and_info_is_left_alone() -> None:
    found = [finding("roles.pad-is-eos", message="pad is eos"), finding("vocab.added", Severity.WARNING),
             finding("config.other-key", Severity.INFO, message="fyi")]
    accepted = apply_accepted(found, ["roles.*", "config.*"])
    assert [(f.severity, f.message) for f in accepted] == [
        (Severity.INFO, "(accepted, was error) pad is eos"),
        (Severity.WARNING, "m"),
        (Severity.INFO, "fyi"),
    ]
    assert not failing(accepted, strict=False)
