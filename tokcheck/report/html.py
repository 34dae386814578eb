"""Findings -> the HTML report: one self-contained file (inline CSS, SVG and a little plain
JavaScript; no font, script or request from anywhere) with the header, filters by severity and
check, the entries by severity then check (one per root cause, with its behaviour examples folded
below), token boxes for every counterexample, chat template diffs side by side, row-norm figures
for the model checks, and a checkpoint x check-kind matrix when a run compares several checkpoints."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from tokcheck.checks.registry import check_rank, sorted_findings
from tokcheck.findings import Finding, Severity
from tokcheck.report.checkpoints import NOT_RUN, CheckpointMatrix, finding_key
from tokcheck.report.context import ReportContext, summary_line
from tokcheck.report.engines import COLUMNS, ENGINES, engine_table
from tokcheck.report.grouping import Entry, group_findings, is_behaviour, seen_by_summary
from tokcheck.report.html_figures import norm_figure, side_by_side, token_grid
from tokcheck.report.html_style import SCRIPT, STYLE
from tokcheck.report.run_report import RunReport
from tokcheck.report.token_boxes import token_rows

_VALUE_CHARS = 400  # longest base/tuned value shown inline; the JSON report has it whole


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    if value is None:
        return '<span class="none">(none)</span>'
    shown = text if len(text) <= _VALUE_CHARS else text[: _VALUE_CHARS - 3] + "..."
    return f"<code>{escape(shown)}</code>"


def _facts(finding: Finding) -> str:
    labels = ("golden", "now") if finding.code.startswith("golden.") else ("base", "tuned")
    rows = [("where", f"<code>{escape(finding.where)}</code>" if finding.where else "")]
    # Token boxes show both id lists already (and the detail lists them): no third copy here.
    boxed = token_rows(finding) is not None
    if not boxed and (finding.base is not None or finding.tuned is not None):
        rows += [(labels[0], _value(finding.base)), (labels[1], _value(finding.tuned))]
    rows.append(("fix", escape(finding.fix)))
    cells = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows if value)
    return f'<dl class="facts">{cells}</dl>' if cells else ""


def _figures(finding: Finding, index: int) -> str:
    parts = []
    rows = token_rows(finding)
    if rows is not None:
        parts.append(token_grid(rows, "token boxes: base above, tuned below, on shared character offsets"))
    norms = (finding.evidence or {}).get("norms")
    if norms:
        parts.append(norm_figure(norms, f"{finding.check}: row norms of the sampled trained rows and the watched rows",
                                 f"f{index}"))
    if finding.detail:
        table = side_by_side(finding.detail) if finding.check == "chat_template" else None
        if table:
            parts.append(table)
        parts.append(f'<details class="detail"><summary>detail ({len(finding.detail.splitlines())} lines)</summary>'
                     f"<pre>{escape(finding.detail)}</pre></details>")
    return "".join(parts)


def _finding(finding: Finding, index: int, level: int) -> str:
    severity = finding.severity.value
    return (f'<article class="finding {severity}" id="f{index}" data-finding="{index}" '
            f'data-code="{escape(finding.code, quote=True)}" data-check="{escape(finding.check, quote=True)}">'
            f'<h{level} class="title"><span class="badge {severity}">{severity.upper()}</span> '
            f'<span class="check">[{escape(finding.check)}]</span> <span class="message">{escape(finding.message)}</span>'
            f'</h{level}>{_facts(finding)}{_figures(finding, index)}</article>')


def _entry(entry: Entry, position: dict[int, int], number: int) -> str:
    checks = " ".join(dict.fromkeys(finding.check for finding in entry.members))
    parts = [f'<section class="entry {entry.severity.value}" id="e{number}" data-severity="{entry.severity.value}" '
             f'data-checks="{escape(checks, quote=True)}">']
    if entry.grouped:
        parts.append(f'<p class="cause">One root cause: <strong>{escape(entry.cause)}</strong> '
                     f'({len(entry.members)} findings)</p>')
    parts.append(_finding(entry.head, position[id(entry.head)], 4))
    if entry.related:
        parts.append('<section class="related"><h5>Same cause, other static checks</h5>')
        parts += [_finding(finding, position[id(finding)], 6) for finding in entry.related]
        parts.append("</section>")
    boxed = [finding for finding in entry.seen_by if token_rows(finding) is not None]
    example = min(boxed, key=lambda finding: len(finding.where)) if boxed else None
    if example is not None:
        # The smallest example of the drift stays in view; every check's own examples fold below.
        rows = token_rows(example)
        assert rows is not None
        parts.append(f'<div class="minimal"><p>Minimal example ({escape(example.check)}): '
                     f'<code>{escape(example.where)}</code></p>{token_grid(rows)}</div>')
    if entry.seen_by:
        parts.append(f'<details class="seen-by"><summary><h5>Also seen by {len(entry.seen_by)} behaviour check(s) and '
                     f'sweep(s): {escape(seen_by_summary(entry))}</h5></summary>')
        parts += [_finding(finding, position[id(finding)], 6) for finding in entry.seen_by]
        parts.append("</details>")
    parts.append("</section>")
    return "".join(parts)


def _entries(findings: list[Finding]) -> str:
    entries = group_findings(findings)
    position = {id(finding): index for index, finding in enumerate(findings)}
    if not entries:
        return '<p class="clean">No drift found.</p>'
    parts = []
    number = 0
    for severity in Severity:
        of_severity = [entry for entry in entries if entry.severity is severity]
        if not of_severity:
            continue
        parts.append(f'<section class="severity" id="{severity.value}" data-severity="{severity.value}">'
                     f'<h2>{severity.value.capitalize()} ({len(of_severity)})</h2>')
        checks = sorted(dict.fromkeys(entry.head.check for entry in of_severity), key=check_rank)
        for check in checks:
            parts.append(f'<section class="check-group" data-check="{escape(check, quote=True)}"><h3>{escape(check)}</h3>')
            for entry in of_severity:
                if entry.head.check == check:
                    number += 1
                    parts.append(_entry(entry, position, number))
            parts.append("</section>")
        parts.append("</section>")
    return "".join(parts)


def _header(findings: list[Finding], context: ReportContext, outcome: dict[str, Any] | None) -> str:
    failing = any(finding.fails(context.strict) for finding in findings)
    verdict = summary_line(findings, context.strict)
    rows = []
    for side, described in context.sides.items():
        spec, _, path = described.partition(" (")
        path = path[:-1] if path.endswith(")") else spec  # a path spec is its own resolved path
        rows.append(f'<tr><th scope="row">{escape(side)}</th><td><code>{escape(spec)}</code></td>'
                    f'<td><code>{escape(path)}</code></td>'
                    f'<td><code>{escape(context.hashes.get(side, ""))}</code></td></tr>')
    sides = ('<table class="sides"><caption>What was compared</caption><thead><tr><th scope="col">side</th>'
             '<th scope="col">spec</th><th scope="col">resolved path</th><th scope="col">content sha256</th></tr></thead>'
             f'<tbody>{"".join(rows)}</tbody></table>')
    settings = {**{f"{name}": version for name, version in context.versions.items()}, **context.settings}
    if outcome:
        settings["tests"] = ", ".join(f"{count} {name}" for name, count in sorted(outcome.items()))
    facts = "".join(f"<dt>{escape(key)}</dt><dd>{escape(str(value))}</dd>" for key, value in settings.items())
    return (f'<header><h1>tokcheck drift report</h1><p class="verdict {"drift" if failing else "clean"}" role="status">'
            f'<span aria-hidden="true">{"✗" if failing else "✓"}</span> {escape(verdict)}</p>{sides}'
            f'<dl class="settings">{facts}</dl></header>')


def _filters(findings: list[Finding]) -> str:
    if not findings:
        return ""
    tally = {severity: sum(1 for finding in findings if finding.severity is severity) for severity in Severity}
    boxes = "".join(
        f'<label><input type="checkbox" name="severity" value="{severity.value}" checked> '
        f'<span class="badge {severity.value}">{severity.value}</span> ({count})</label>'
        for severity, count in tally.items() if count)
    checks = sorted({finding.check for finding in findings}, key=lambda check: (is_behaviour_name(check), check_rank(check)))
    options = "".join(f'<option value="{escape(check, quote=True)}">{escape(check)}</option>' for check in checks)
    return ('<nav class="filters" aria-label="Filter the findings"><fieldset><legend>Severity</legend>'
            f'{boxes}</fieldset><div><label for="check-filter">Check</label> <select id="check-filter">'
            f'<option value="">every check</option>{options}</select></div>'
            '<div><button type="button" id="expand-all">expand all</button> '
            '<button type="button" id="collapse-all">collapse all</button></div>'
            '<p id="filter-status" role="status" aria-live="polite"></p>'
            f'{_legend(findings)}</nav>')


def _legend(findings: list[Finding]) -> str:
    if not any(token_rows(finding) is not None for finding in findings):
        return ""
    return ('<p class="legend"><strong>Token boxes:</strong> base above tuned, each box its text and id; '
            '<span class="tok-key special">◆ dashed</span> special token; <span class="tok-key differs">≠ thick</span> '
            'differs from the other side; ▼ first difference; ␣ space, ⏎ newline, ⇥ tab, \\u00a0 other '
            'invisible characters.</p>')


def is_behaviour_name(check: str) -> bool:
    return is_behaviour(Finding(check, "", Severity.INFO, ""))


_MARKS = {"error": "✗", "warning": "!", "ok": "✓", "skipped": "–", NOT_RUN: "·"}


def _matrix(matrix: CheckpointMatrix, ordered: list[Finding]) -> str:
    """Checkpoint x check kind: each cell its mark, its count of errors and warnings linked to the
    first of them, and the findings that first appear there (new) or are gone there (reverted)."""
    anchor = {finding_key(finding): index for index, finding in enumerate(ordered)}
    flat = matrix.flat_keys()
    timelines = matrix.timelines()

    def link(finding: Finding, text: str) -> str:
        return f'<a href="#f{anchor[flat[finding_key(finding)]]}">{text}</a>'

    head = "".join(f'<th scope="col">{escape(kind)}</th>' for kind in matrix.kinds)
    rows = []
    for checkpoint in matrix.order:
        effective = matrix.effective(checkpoint)
        cells = []
        for kind in matrix.kinds:
            state = matrix.cell(checkpoint, kind)
            found = [finding for finding in effective.get(kind, []) if finding.severity is not Severity.INFO]
            text = f'{_MARKS.get(state, "?")} {escape(state)}' + (f" ({len(found)})" if found else "")
            notes = [f'<span class="new">new: {link(t.finding, escape(t.finding.code))}</span>'
                     for t in timelines if t.first == checkpoint and t.kind == kind]
            notes += [f'<span class="reverted">reverted: {link(t.finding, escape(t.finding.code))}</span>'
                      for t in timelines if t.gone_at == checkpoint and t.kind == kind]
            cells.append(f'<td class="cell {escape(state)}" data-checkpoint="{escape(checkpoint, quote=True)}" '
                         f'data-kind="{escape(kind, quote=True)}" data-state="{escape(state, quote=True)}" '
                         f'data-count="{len(found)}">{link(found[0], text) if found else text}{"".join(notes)}</td>')
        leader = matrix.same_as.get(checkpoint)
        note = f"same tokenizer as {escape(leader)}" if leader else ""
        rows.append(f'<tr><th scope="row">{escape(checkpoint)}</th>{"".join(cells)}<td class="note">{note}</td></tr>')
    unchecked = "".join(f"<li><code>{escape(folder)}</code>: no tokenizer files of its own, not checked</li>"
                        for folder in matrix.unchecked)
    legend = ", ".join(f"{mark} {state}" for state, mark in _MARKS.items() if state != NOT_RUN) + f", {_MARKS[NOT_RUN]} not run"
    return ('<section id="matrix"><h2>Checkpoints by check</h2><table class="matrix">'
            f'<caption>{escape(legend)}; (n): errors and warnings, linked to the first</caption><thead><tr>'
            f'<th scope="col">checkpoint</th>{head}<th scope="col"></th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            + (f'<ul class="unchecked">{unchecked}</ul>' if unchecked else "") + "</section>")


def _engines(ordered: list[Finding]) -> str:
    """Engine x what it takes from the checkpoint, each ✗ linked to the findings behind it."""
    table = engine_table(ordered)
    position = {id(finding): index for index, finding in enumerate(ordered)}
    head = "".join(f'<th scope="col">{escape(column)}</th>' for column in COLUMNS)
    rows = []
    for engine in ENGINES:
        cells = []
        for column in COLUMNS:
            found = table.findings(engine, column)
            links = " ".join(f'<a href="#f{position[id(finding)]}">{escape(finding.code)}</a>' for finding in found)
            state = "drift" if found else "same"
            cells.append(f'<td class="cell {state}" data-engine="{escape(engine, quote=True)}" '
                         f'data-column="{escape(column, quote=True)}">{"✗ " + links if found else "✓"}</td>')
        rows.append(f'<tr><th scope="row">{escape(engine)}</th>{"".join(cells)}</tr>')
    return ('<section id="engines"><h2>Engines</h2><table class="matrix engines"><caption>✗: an error or warning '
            'changes what this engine does with the checkpoint, linked to the findings</caption><thead><tr>'
            f'<th scope="col">engine</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></section>')


def render_html(report: RunReport) -> str:
    ordered = sorted_findings(report.findings)
    context, outcome = report.context, report.outcome
    body = [_header(ordered, context, outcome), _filters(ordered), "<main>"]
    if report.checkpoints is not None:
        body.append(_matrix(report.checkpoints, ordered))
    body += [_engines(ordered), _entries(ordered), "</main>"]
    title = escape(summary_line(ordered, context.strict))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "script-src 'unsafe-inline'; img-src data:\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>tokcheck: {title}</title><style>{STYLE}</style></head><body>{''.join(body)}"
            f"<script>{SCRIPT}</script></body></html>\n")
