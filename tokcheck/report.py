"""Findings -> the drift report: terminal text, JSON, and Markdown for a CI comment."""

from __future__ import annotations

import json
import platform
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from tokcheck.findings import Finding, Severity, sorted_findings

_DETAIL_LINES = 40  # longest detail block (e.g. a template diff) in the terminal


@dataclass
class ReportContext:
    """What was compared, with which libraries: every report starts with this."""

    sides: dict[str, str] = field(default_factory=dict)  # "base" -> "spec (resolved path)"
    settings: dict[str, str] = field(default_factory=dict)  # e.g. hypothesis seed and profile
    strict: bool = False

    @property
    def versions(self) -> dict[str, str]:
        found = {"python": platform.python_version()}
        for package in ("tokcheck", "transformers", "tokenizers", "hypothesis"):
            try:
                found[package] = metadata.version(package)
            except metadata.PackageNotFoundError:
                found[package] = "not installed"
        return found

    def header_lines(self) -> list[str]:
        lines = [f"{side}: {described}" for side, described in self.sides.items()]
        versions = self.versions
        lines.append(
            f"transformers {versions['transformers']}, tokenizers {versions['tokenizers']}, "
            f"tokcheck {versions['tokcheck']}"
        )
        if self.settings:
            lines.append(", ".join(f"{key} {value}" for key, value in self.settings.items()))
        return lines


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    tally = Counter(finding.severity.value for finding in findings)
    return {severity.value: tally.get(severity.value, 0) for severity in Severity}


def summary_line(findings: list[Finding], strict: bool) -> str:
    tally = counts(findings)
    failing = sum(1 for finding in findings if finding.fails(strict))
    verdict = "DRIFT" if failing else "no failing drift"
    parts = [f"{tally['error']} error(s)", f"{tally['warning']} warning(s)", f"{tally['info']} info"]
    return f"{verdict}: {', '.join(parts)}" + (" (strict: warnings fail)" if strict else "")


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
    lines = [*context.header_lines(), summary_line(findings, context.strict)]
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
    }


def render_json(findings: list[Finding], context: ReportContext, outcome: dict[str, Any] | None = None) -> str:
    return json.dumps(to_data(findings, context, outcome), indent=2, ensure_ascii=False, default=str) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(findings: list[Finding], context: ReportContext, outcome: dict[str, Any] | None = None) -> str:
    lines = ["## tokcheck drift report", ""]
    lines += [f"- {line}" for line in context.header_lines()]
    lines += [f"- **{summary_line(findings, context.strict)}**", ""]
    if outcome:
        lines += ["Tests: " + ", ".join(f"{count} {name}" for name, count in sorted(outcome.items())), ""]
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


def render_file(path: str, findings: list[Finding], context: ReportContext, outcome: dict[str, Any] | None = None) -> str:
    """JSON, or Markdown when the path ends in .md."""
    if path.lower().endswith((".md", ".markdown")):
        return render_markdown(findings, context, outcome)
    return render_json(findings, context, outcome)
