"""Findings -> the drift report in the terminal: the header, the verdict, then one entry per root
cause by severity (the static finding that explains it with where, base and tuned, the fix, the
detail capped, then the behaviour checks that saw it too), and every counterexample's token
boundaries as bracketed rows. Colour comes from the caller's markup function (pytest's terminal
writer, which follows --color and is plain when the output is not a TTY)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tokcheck.findings import Finding, Severity
from tokcheck.report.checkpoints import checkpoint_lines
from tokcheck.report.context import summary_line
from tokcheck.report.engines import engine_lines
from tokcheck.report.grouping import Entry, group_findings, same_examples, seen_by_summary
from tokcheck.report.run_report import RunReport
from tokcheck.report.token_boxes import Box, bracketed, token_rows

_DETAIL_LINES = 40  # longest detail block (e.g. a template diff) in the terminal
_BOXES = 48  # boxes shown per row in the terminal

# markup(text, **styles) -> text, e.g. TerminalWriter.markup(text, red=True, bold=True)
Markup = Callable[..., str]


def plain(text: str, **_: bool) -> str:
    return text


_SEVERITY_STYLE = {Severity.ERROR: {"red": True, "bold": True}, Severity.WARNING: {"yellow": True, "bold": True},
                   Severity.INFO: {"bold": True}}


def _values(finding: Finding) -> str:
    if finding.base is None and finding.tuned is None:
        return ""

    def shown(value: Any) -> str:
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
        return "(none)" if value is None else (text if len(text) <= 100 else text[:97] + "...")

    # A golden finding compares the recorded value with the current one, not two tokenizers.
    labels = ("golden", "now") if finding.code.startswith("golden.") else ("base", "tuned")
    return f"{labels[0]}: {shown(finding.base)} | {labels[1]}: {shown(finding.tuned)}"


def boundary_lines(finding: Finding, markup: Markup = plain, indent: str = "      ") -> list[str]:
    """`base  [Hello][ world]` / `tuned [Hello][ wor][ld]`, differing boxes coloured, and a caret
    under the first difference (so it is marked without colour too)."""
    rows = token_rows(finding)
    if rows is None or not any(box.piece for box in (*rows.base, *rows.tuned)):
        return []
    lines = []
    caret = None
    for label, boxes, cut in (("base ", rows.base, rows.cut[0]), ("tuned", rows.tuned, rows.cut[1])):
        shown = bracketed(boxes[:_BOXES])
        text, width = "", 0
        for piece, box in shown:
            if box.first and label == "tuned":
                caret = width
            text += _box_markup(piece, box, label, markup)
            width += len(piece)
        more = len(boxes) - len(shown) + cut
        lines.append(f"{indent}{label} {text}" + (f" ... {more} more" if more else ""))
    if caret is not None:
        lines.append(f"{indent}{' ' * (len('tuned') + 1 + caret)}^ first difference at token {rows.first_difference}")
    return lines


def _box_markup(piece: str, box: Box, label: str, markup: Markup) -> str:
    if box.differs:
        return markup(piece, red=label == "base", green=label == "tuned", bold=box.special)
    return markup(piece, cyan=True) if box.special else piece


def _finding_lines(finding: Finding, markup: Markup, *, label: str = "") -> list[str]:
    severity = finding.severity
    lines = [f"  {label}{markup(f'[{finding.check}]', bold=True)} {finding.message}"]
    if finding.where:
        lines.append(f"      where: {finding.where}")
    values = _values(finding)
    if values and severity is not Severity.INFO:
        lines.append(f"      {values}")
    lines.extend(boundary_lines(finding, markup))
    if finding.fix:
        lines.append(f"      fix: {finding.fix}")
    if finding.detail and severity is not Severity.INFO:
        detail = finding.detail.splitlines()
        if len(detail) > _DETAIL_LINES:
            detail = [*detail[:_DETAIL_LINES], f"... {len(detail) - _DETAIL_LINES} more lines in the JSON report"]
        lines.extend(f"        {line}" for line in detail)
    return lines


def _entry_lines(entry: Entry, markup: Markup) -> list[str]:
    lines = _finding_lines(entry.head, markup)
    for finding in entry.related:
        lines.append(f"      same cause: {markup(f'[{finding.check}]', bold=True)} ({finding.severity.value}) "
                     f"{finding.message}")
    if entry.seen_by:
        lines.append(f"      also seen by {len(entry.seen_by)} behaviour check(s) and sweep(s): {seen_by_summary(entry)}")
        for group, example in same_examples(entry.seen_by):
            checks = ", ".join(dict.fromkeys(finding.check for finding in group))
            lines.append(f"        {checks}: {example.where or example.message}")
            lines.extend(boundary_lines(example, markup, indent="          "))
    return lines


def render_terminal(report: RunReport, markup: Markup = plain) -> str:
    findings, context = report.findings, report.context
    lines = [*context.header_lines(), summary_line(findings, context.strict), *checkpoint_lines(report.checkpoints),
             *engine_lines(findings)]
    entries = group_findings(findings)
    for severity in Severity:
        group = [entry for entry in entries if entry.severity is severity]
        if not group:
            continue
        members = sum(len(entry.members) for entry in group)
        count = f"{len(group)}" if members == len(group) else f"{len(group)} causes, {members} findings"
        lines.append("")
        lines.append(markup(f"{severity.value.upper()} ({count})", **_SEVERITY_STYLE[severity]))
        for entry in group:
            lines.extend(_entry_lines(entry, markup))
    return "\n".join(lines)
