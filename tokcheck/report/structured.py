"""Findings -> the JSON report: every finding whole, with the header, the tallies and the test
outcomes, for CI artifacts and for rendering again later."""

from __future__ import annotations

import json
from typing import Any

from tokcheck.findings import Finding, sorted_findings
from tokcheck.report.checkpoints import checkpoint_data
from tokcheck.report.context import ReportContext, counts
from tokcheck.report.grouping import group_findings


def groups(ordered: list[Finding]) -> list[dict[str, Any]]:
    """The report's entries as positions in `findings`: one per root cause (report/grouping.py)."""
    position = {id(finding): index for index, finding in enumerate(ordered)}
    return [{"head": position[id(entry.head)], "cause": entry.cause, "severity": entry.severity.value,
             "related": [position[id(finding)] for finding in entry.related],
             "seen_by": [position[id(finding)] for finding in entry.seen_by]}
            for entry in group_findings(ordered)]


def to_data(findings: list[Finding], context: ReportContext, outcome: dict[str, Any] | None = None) -> dict[str, Any]:
    ordered = sorted_findings(findings)
    return {
        "tokcheck_report": 1,
        "sides": context.sides,
        "hashes": context.hashes,
        "versions": context.versions,
        "settings": context.settings,
        "strict": context.strict,
        "summary": counts(findings),
        "failing": sum(1 for finding in findings if finding.fails(context.strict)),
        "outcome": outcome or {},
        "findings": [finding.to_dict() for finding in ordered],
        "groups": groups(ordered),
        **checkpoint_data(context.checkpoints),
    }


def render_json(findings: list[Finding], context: ReportContext, outcome: dict[str, Any] | None = None) -> str:
    return json.dumps(to_data(findings, context, outcome), indent=2, ensure_ascii=False, default=str) + "\n"
