"""Accepting known, intended drift: a finding that matches an accept pattern is kept in the
report, marked accepted, and no longer fails. Patterns are a finding code with shell wildcards
(``roles.pad-is-eos``, ``config.*``), optionally ``:TEXT`` that the message must contain
(``vocab.added-beyond-base:'<tool>'``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase

from tokcheck.findings import Finding, Severity


def matches(finding: Finding, pattern: str) -> bool:
    code, _, text = pattern.strip().partition(":")
    return fnmatchcase(finding.code, code) and (not text or text in finding.message)


def apply_accepted(findings: Iterable[Finding], patterns: Sequence[str]) -> list[Finding]:
    accepted = []
    for finding in findings:
        if finding.severity is not Severity.INFO and any(matches(finding, pattern) for pattern in patterns):
            finding = dataclasses.replace(
                finding, severity=Severity.INFO, message=f"(accepted, was {finding.severity.value}) {finding.message}"
            )
        accepted.append(finding)
    return accepted
