"""Findings -> the drift report in the terminal: the header, the verdict, then every finding by
severity with where, base and tuned, the fix, and the detail (capped; the JSON report has it all)."""

from __future__ import annotations

import json
from typing import Any

from tokcheck.findings import Finding, Severity, sorted_findings
from tokcheck.report.checkpoints import checkpoint_lines
from tokcheck.report.context import ReportContext, summary_line

_DETAIL_LINES = 40  # longest detail block (e.g. a template diff) in the terminal


def _values(finding: Finding) -> str:
    if finding.base is None and finding.tuned is None:
        return ""

    def shown(value: Any) -> str:
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
        return "(none)" if value is None else (text if len(text) <= 100 else text[:97] + "...")

    # A golden finding compares the recorded value with the current one, not two tokenizers.
    labels = ("golden", "now") if finding.code.startswith("golden.") else ("base", "tuned")
    return f"{labels[0]}: {shown(finding.base)} | {labels[1]}: {shown(finding.tuned)}"


def render_terminal(findings: list[Finding], context: ReportContext) -> str:
    lines = [*context.header_lines(), summary_line(findings, context.strict), *checkpoint_lines(context.checkpoints)]
    ordered = sorted_findings(findings)
    for severity in Severity:
        group = [finding for finding in ordered if finding.severity is severity]
        if not group:
            continue
        lines.append("")
        lines.append(f"{severity.value.upper()} ({len(group)})")
        for finding in group:
            lines.append(f"  [{finding.check}] {finding.message}")
            if finding.where:
                lines.append(f"      where: {finding.where}")
            values = _values(finding)
            if values and severity is not Severity.INFO:
                lines.append(f"      {values}")
            if finding.fix:
                lines.append(f"      fix: {finding.fix}")
            if finding.detail and severity is not Severity.INFO:
                detail = finding.detail.splitlines()
                if len(detail) > _DETAIL_LINES:
                    detail = [*detail[:_DETAIL_LINES], f"... {len(detail) - _DETAIL_LINES} more lines in the JSON report"]
                lines.extend(f"        {line}" for line in detail)
    return "\n".join(lines)
