"""Findings: the plain-data result every check produces, and the acceptance of known, intended
drift. Imports nothing of tokcheck and names no check: every layer above uses it (the report order
of checks is tokcheck.checks.registry's)."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from fnmatch import fnmatchcase
from typing import Any


class Severity(str, enum.Enum):
    ERROR = "error"  # the tuned checkpoint will misbehave; the check fails
    WARNING = "warning"  # likely harmful or breaks some consumers; fails only with --tokcheck-strict
    INFO = "info"  # worth knowing, never fails

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True)
class Finding:
    """One difference between base and tuned, with enough context to act on it.

    `code` is stable (e.g. ``vocab.added-beyond-base``) so reports can be filtered and compared;
    `message` is one plain sentence; `where` names the file and key (or the text and position);
    `base`/`tuned` hold JSON-able values; `fix` is the hint; `detail` holds multi-line extras such
    as a unified diff or the line that reproduces a failing example; `evidence` holds JSON-able data
    a report draws (the token boxes of a counterexample, the row norms of a model check), or None.
    """

    check: str
    code: str
    severity: Severity
    message: str
    where: str = ""
    base: Any = None
    tuned: Any = None
    fix: str = ""
    detail: str = ""
    evidence: dict[str, Any] | None = None

    def fails(self, strict: bool) -> bool:
        return self.severity is Severity.ERROR or (strict and self.severity is Severity.WARNING)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        if self.evidence is None:
            del data["evidence"]  # most findings have none: their JSON stays as it was
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(**{**data, "severity": Severity(data["severity"])})


def failing(findings: Iterable[Finding], strict: bool) -> list[Finding]:
    return [finding for finding in findings if finding.fails(strict)]


# --- accepting intended drift -------------------------------------------------------------------
# A finding that matches an accept pattern stays in the report, marked accepted, and no longer
# fails. Patterns are a finding code with shell wildcards (``roles.pad-is-eos``, ``config.*``),
# optionally ``:TEXT`` that the message must contain (``vocab.added-beyond-base:'<tool>'``).


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
