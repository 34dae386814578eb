"""Every finding to repair -> the edits (on tokcheck.fix.files' parsed copies) and, for the ones no
file edit can repair, the reason. Errors and warnings are repaired; info and accepted findings
(apply_accepted made them info) are left as they are. A pair where nothing fails (no error; no
warning under --strict) has nothing to fix: a benign re-save is left untouched, its warnings
included; once something fails, its warnings are repaired with it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tokcheck.findings import Finding, Severity
from tokcheck.fix.files import TunedFiles


class Repairer(Protocol):
    """tokcheck.fix.repairs.Repairs (a checkpoint directory) or tokcheck.fix.gguf.GGUFRepairs (a GGUF)."""

    files: TunedFiles

    def repair(self, finding: Finding) -> str | None: ...


@dataclass
class Plan:
    targets: list[Finding]  # the error and warning findings, not accepted, that the fix answers
    reasons: dict[int, str]  # index into targets -> why it cannot be repaired by editing files
    files: TunedFiles

    @property
    def nothing_to_fix(self) -> bool:
        return not self.targets


def to_repair(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.severity is not Severity.INFO]


def build_plan(findings: list[Finding], repairs: Repairer, strict: bool) -> Plan:
    targets = to_repair(findings) if any(finding.fails(strict) for finding in findings) else []
    reasons = {}
    for index, finding in enumerate(targets):
        reason = repairs.repair(finding)
        if reason is not None:
            reasons[index] = reason
    return Plan(targets, reasons, repairs.files)
