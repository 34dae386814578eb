"""Findings -> the Markdown report for a CI comment: the header, the verdict, a table of findings
and each finding's detail folded below it."""

from __future__ import annotations

from typing import Any

from tokcheck.findings import Finding, Severity, sorted_findings
from tokcheck.report.checkpoints import checkpoint_markdown
from tokcheck.report.context import ReportContext, summary_line


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(findings: list[Finding], context: ReportContext, outcome: dict[str, Any] | None = None) -> str:
    lines = ["## tokcheck drift report", ""]
    lines += [f"- {line}" for line in context.header_lines()]
    lines += [f"- **{summary_line(findings, context.strict)}**", ""]
    if outcome:
        lines += ["Tests: " + ", ".join(f"{count} {name}" for name, count in sorted(outcome.items())), ""]
    lines += checkpoint_markdown(context.checkpoints)
    ordered = sorted_findings(findings)
    if ordered:
        lines += ["| severity | check | finding | where | fix |", "|---|---|---|---|---|"]
        for finding in ordered:
            lines.append(
                f"| {finding.severity.value} | {finding.check} | {_md_cell(finding.message)} | "
                f"{_md_cell(finding.where)} | {_md_cell(finding.fix)} |"
            )
        details = [finding for finding in ordered if finding.detail and finding.severity is not Severity.INFO]
        for finding in details:
            lines += ["", f"<details><summary>{_md_cell(finding.check)}: {_md_cell(finding.message[:120])}</summary>", "",
                      "```diff" if finding.detail.startswith("---") else "```", finding.detail, "```", "</details>"]
    else:
        lines.append("No drift found.")
    return "\n".join(lines) + "\n"
