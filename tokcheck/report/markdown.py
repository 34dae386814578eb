"""Findings -> the Markdown report for a CI comment or a GitHub step summary: the header, the
verdict, a table of entries (one per root cause), and each entry's detail and the examples of the
checks that also saw it folded below in <details> blocks."""

from __future__ import annotations

from html import escape

from tokcheck.findings import Severity
from tokcheck.report.checkpoints import checkpoint_markdown
from tokcheck.report.context import summary_line
from tokcheck.report.engines import engine_markdown
from tokcheck.report.grouping import Entry, group_findings, same_examples, seen_by_summary
from tokcheck.report.run_report import RunReport
from tokcheck.report.terminal import boundary_lines


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _text(text: str) -> str:
    """Text outside a table in Markdown that GitHub renders with HTML allowed: '<|eom_id|>' escaped."""
    return escape(text.replace("\n", " "), quote=False)


def _fence(text: str) -> list[str]:
    fence = "````" if "```" in text else "```"
    return [fence + ("diff" if text.startswith("---") else ""), text, fence]


def _details(entry: Entry) -> list[str]:
    head = entry.head
    body: list[str] = []
    if head.detail and head.severity is not Severity.INFO:
        body += _fence(head.detail)
    for finding in entry.related:
        body += ["", f"Same cause: **{_text(finding.check)}** ({finding.severity.value}) {_text(finding.message)}"]
    if entry.seen_by:
        body += ["", f"Also seen by: {seen_by_summary(entry)}"]
        for group, example in same_examples(entry.seen_by):
            checks = ", ".join(dict.fromkeys(finding.check for finding in group))
            rows = boundary_lines(example, indent="")
            body += ["", f"- {_text(checks)}: {_text(example.where or example.message)}", "",
                     *_fence("\n".join(rows or example.detail.splitlines()[:12]))]
    if not body:
        return []
    summary = f"{_text(head.check)}: {_text(head.message[:120])}"
    return ["", f"<details><summary>{summary}</summary>", "", *body, "</details>"]


def render_markdown(report: RunReport) -> str:
    findings, context, outcome = report.findings, report.context, report.outcome
    lines = ["## tokcheck drift report", ""]
    lines += [f"- {line}" for line in context.header_lines()]
    lines += [f"- **{summary_line(findings, context.strict)}**", ""]
    if outcome:
        lines += ["Tests: " + ", ".join(f"{count} {name}" for name, count in sorted(outcome.items())), ""]
    lines += checkpoint_markdown(report.checkpoints)
    lines += engine_markdown(findings)
    entries = group_findings(findings)
    if entries:
        lines += ["| severity | check | finding | where | fix | also seen by |", "|---|---|---|---|---|---|"]
        for entry in entries:
            head = entry.head
            also = [f"{finding.check} ({finding.severity.value})" for finding in entry.related]
            if entry.seen_by:
                also.append(seen_by_summary(entry))
            lines.append(
                f"| {entry.severity.value} | {head.check} | {_md_cell(head.message)} | "
                f"{_md_cell(head.where)} | {_md_cell(head.fix)} | {_md_cell('; '.join(also))} |"
            )
        for entry in entries:
            lines += _details(entry)
    else:
        lines.append("No drift found.")
    return "\n".join(lines) + "\n"
