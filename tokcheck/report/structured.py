"""Findings -> the JSON report: every finding whole, with the header, the tallies and the test
outcomes, for CI artifacts and for rendering again later."""

from __future__ import annotations

import json
from typing import Any

from tokcheck.findings import Finding, sorted_findings
from tokcheck.report.checkpoints import checkpoint_data
from tokcheck.report.context import ReportContext, counts


def to_data(findings: list[Finding], context: ReportContext, outcome: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "tokcheck_report": 1,
        "sides": context.sides,
        "versions": context.versions,
        "settings": context.settings,
        "strict": context.strict,
        "summary": counts(findings),
        "failing": sum(1 for finding in findings if finding.fails(context.strict)),
        "outcome": outcome or {},
        "findings": [finding.to_dict() for finding in sorted_findings(findings)],
        **checkpoint_data(context.checkpoints),
    }


def render_json(findings: list[Finding], context: ReportContext, outcome: dict[str, Any] | None = None) -> str:
    return json.dumps(to_data(findings, context, outcome), indent=2, ensure_ascii=False, default=str) + "\n"
