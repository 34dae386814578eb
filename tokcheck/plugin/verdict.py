"""Turning a check's findings into a test outcome: attach them to the test report (so they reach
the drift report, from xdist workers too) and fail with a readable message when any fails."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from tokcheck.checks.registry import PROJECT_KIND, sorted_findings
from tokcheck.findings import Finding, apply_accepted, failing

FINDINGS_PROPERTY = "tokcheck_findings"
CHECKPOINT_PROPERTY = "tokcheck_checkpoint"  # the tuned checkpoint's id, in a run over several
KIND_PROPERTY = "tokcheck_kind"  # with it, the kind of check the test runs (tokcheck.checks.registry)


def failure_message(findings: list[Finding]) -> str:
    lines = []
    for finding in findings:
        lines.append(f"[{finding.severity.value}] {finding.message}")
        if finding.where:
            lines.append(f"    where: {finding.where}")
        if finding.fix:
            lines.append(f"    fix: {finding.fix}")
        if finding.detail:
            lines.extend(f"    {line}" for line in finding.detail.splitlines()[:40])
    return "\n".join(lines)


class Verdict:
    """One test's verdict on the findings of its check (the tokcheck_verdict fixture)."""

    def __init__(self, node: Any, *, strict: bool, accept: tuple[str, ...] = (), checkpoint: str | None = None,
                 kind: str = PROJECT_KIND) -> None:
        self.node = node
        self.strict = strict
        self.accept = accept
        self.checkpoint = checkpoint
        self.kind = kind

    def record(self, findings: Iterable[Finding]) -> list[Finding]:
        recorded = apply_accepted(findings, self.accept)
        if self.checkpoint is not None:
            self.node.user_properties.append((CHECKPOINT_PROPERTY, self.checkpoint))
            self.node.user_properties.append((KIND_PROPERTY, self.kind))
        self.node.user_properties.append((FINDINGS_PROPERTY, [finding.to_dict() for finding in recorded]))
        return recorded

    def conclude(self, findings: Iterable[Finding]) -> None:
        """Record the findings, then fail if any is an error (or a warning, when strict)."""
        recorded = self.record(findings)
        bad = failing(sorted_findings(recorded), self.strict)
        if bad:
            pytest.fail(failure_message(bad), pytrace=False)
