"""The report of one run: its findings, the header (ReportContext), the test outcomes, and the
checkpoint matrix when the run compared several tuned checkpoints. Every format renders this one
model, live or read back from the JSON that to_data() wrote (from_data(), read_report()), so a
saved report renders exactly as the live one did."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tokcheck.checks.registry import sorted_findings
from tokcheck.errors import TokcheckUsageError
from tokcheck.findings import Finding
from tokcheck.report.checkpoints import CheckpointMatrix
from tokcheck.report.context import ReportContext, counts
from tokcheck.report.engines import engine_data
from tokcheck.report.grouping import group_findings
from tokcheck.report.shape import Shape

FORMAT = 1  # "tokcheck_report": the JSON's format; fields are only ever added


@dataclass
class RunReport:
    findings: list[Finding]
    context: ReportContext
    outcome: dict[str, int] = field(default_factory=dict)  # test outcome -> count ("passed": 40, ...)
    checkpoints: CheckpointMatrix | None = None  # a run over several tuned checkpoints

    @property
    def failing(self) -> int:
        return sum(1 for finding in self.findings if finding.fails(self.context.strict))

    def to_data(self) -> dict[str, Any]:
        ordered = sorted_findings(self.findings)
        context = self.context
        data: dict[str, Any] = {
            "tokcheck_report": FORMAT,
            "sides": context.sides,
            "hashes": context.hashes,
            "versions": context.versions,
            "settings": context.settings,
            "strict": context.strict,
            "summary": counts(self.findings),
            "failing": self.failing,
            "outcome": self.outcome,
            "findings": [finding.to_dict() for finding in ordered],
            "groups": _groups(ordered),
            "engines": engine_data(ordered),
        }
        if self.checkpoints is not None:
            data["checkpoints"] = self.checkpoints.to_data()
        return data

    @classmethod
    def from_data(cls, data: Any, label: str) -> RunReport:
        """The report that to_data() wrote; anything else is one usage line (TokcheckUsageError).
        What to_data() derives (summary, failing, groups, each cell) is derived again, not read."""
        shape = Shape(label)
        if not isinstance(data, dict) or data.get("tokcheck_report") != FORMAT or "findings" not in data:
            raise TokcheckUsageError(f"{label}: not a tokcheck JSON report (write one with --tokcheck-report PATH.json)")
        context = ReportContext(sides=shape.text_map(data.get("sides", {}), "sides"),
                                settings=shape.text_map(data.get("settings", {}), "settings"),
                                strict=shape.flag(data.get("strict", False), "strict"),
                                hashes=shape.text_map(data.get("hashes", {}), "hashes"),
                                recorded_versions=shape.text_map(data.get("versions", {}), "versions"))
        findings = shape.findings(data["findings"], "findings")
        outcome = shape.count_map(data.get("outcome", {}), "outcome")
        if data.get("checkpoints") is None:
            return cls(findings, context, outcome)
        matrix = CheckpointMatrix.from_data(data["checkpoints"], shape)
        # A run's findings are its matrix's, each once (flat_findings); the HTML links a cell to them.
        if _dicts(findings) != _dicts(matrix.flat_findings()):
            shape.fail("findings", "not the findings of checkpoints.results")
        return cls(findings, context, outcome, matrix)


def _groups(ordered: list[Finding]) -> list[dict[str, Any]]:
    """The report's entries as positions in `findings`: one per root cause (report/grouping.py)."""
    position = {id(finding): index for index, finding in enumerate(ordered)}
    return [{"head": position[id(entry.head)], "cause": entry.cause, "severity": entry.severity.value,
             "related": [position[id(finding)] for finding in entry.related],
             "seen_by": [position[id(finding)] for finding in entry.seen_by]}
            for entry in group_findings(ordered)]


def _dicts(findings: list[Finding]) -> list[str]:
    return sorted(json.dumps(finding.to_dict(), sort_keys=True) for finding in findings)


def read_report(path: Path, label: str) -> RunReport:
    """A saved JSON report (a CI artifact, say), to render again in any format."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TokcheckUsageError(f"{label}: cannot read ({error.strerror})") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as error:  # ValueError: JSONDecodeError, a 5000-digit number
        raise TokcheckUsageError(f"{label}: not a JSON file ({type(error).__name__}: {error})") from None
    try:  # JSON may escape a lone surrogate ("\\ud800"), which no report can write out again
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise TokcheckUsageError(f"{label}: holds a lone surrogate (a \\ud800-style escape): not a report tokcheck wrote") from None
    return RunReport.from_data(data, label)
