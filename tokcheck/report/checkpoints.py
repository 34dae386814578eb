"""The report across the checkpoints of a training run: a matrix of checkpoint against check
kind, for each finding the first checkpoint where it appears and whether a later one lost it
again (drift class 28: a tokenizer reverted between checkpoints), and the checkpoints whose
tokenizers are identical grouped. Plain data in, lines and JSON-able data out (to_data, and
from_data back); every format renders it from the report's model (report/run_report.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tokcheck.checks.registry import KIND_ORDER, sorted_findings
from tokcheck.findings import Finding, Severity
from tokcheck.report.shape import Shape

NOT_RUN = "-"  # a cell whose checks did not run; "skipped": they ran and skipped, saying why


def finding_key(finding: Finding) -> tuple[str, str, str]:
    return (finding.check, finding.code, finding.where)


@dataclass
class Timeline:
    """One finding across the checkpoints: where it is present, the first, and the checkpoint
    after the first where it is gone (None: it stays to the last checkpoint that ran its check)."""

    finding: Finding
    kind: str  # the check kind that found it (KIND_ORDER)
    present: list[str]
    first: str
    gone_at: str | None = None

    def describe(self) -> str:
        text = f"first at {self.first}"
        if self.gone_at is not None:
            text += f"; gone again at {self.gone_at} (reverted)"
        return text


@dataclass
class CheckpointMatrix:
    """Each checkpoint's findings by check kind; a checkpoint with the tokenizer of an earlier one
    (`same_as`) has that one's tokenizer findings. `order` is the run's order of checkpoints."""

    order: list[str]
    same_as: dict[str, str]
    results: dict[str, dict[str, list[Finding]]] = field(default_factory=dict)  # id -> kind -> findings
    unchecked: list[str] = field(default_factory=list)  # checkpoint folders without tokenizer files
    ran: set[tuple[str, str]] = field(default_factory=set)  # (checkpoint, kind) where a test was not skipped

    def add(self, checkpoint: str, kind: str, findings: Iterable[Finding], *, skipped: bool = False) -> None:
        self.results.setdefault(checkpoint, {}).setdefault(kind, []).extend(findings)
        if not skipped:
            self.ran.add((checkpoint, kind))

    def effective(self, checkpoint: str) -> dict[str, list[Finding]]:
        """The findings by kind of a checkpoint: its own, with its group leader's tokenizer findings
        where it was not checked itself (model checks stay its own)."""
        own = dict(self.results.get(checkpoint, {}))
        leader = self.same_as.get(checkpoint)
        if leader is not None:
            for kind, findings in self.results.get(leader, {}).items():
                if kind not in ("model", "gpu"):
                    own.setdefault(kind, findings)
        return own

    @property
    def kinds(self) -> list[str]:
        seen = {kind for results in self.results.values() for kind in results}
        return [kind for kind in KIND_ORDER if kind in seen] + sorted(seen - set(KIND_ORDER))

    def cell(self, checkpoint: str, kind: str) -> str:
        findings = self.effective(checkpoint).get(kind)
        if findings is None:
            return NOT_RUN
        if any(f.severity is Severity.ERROR for f in findings):
            return "error"
        if any(f.severity is Severity.WARNING for f in findings):
            return "warning"
        leader = self.same_as.get(checkpoint, checkpoint) if kind not in ("model", "gpu") else checkpoint
        return "ok" if (leader, kind) in self.ran or (checkpoint, kind) in self.ran else "skipped"

    def groups(self) -> list[list[str]]:
        """Checkpoints with identical tokenizers, each group in run order (only groups of two or more)."""
        found: dict[str, list[str]] = {}
        for checkpoint in self.order:
            found.setdefault(self.same_as.get(checkpoint, checkpoint), []).append(checkpoint)
        return [members for members in found.values() if len(members) > 1]

    def timelines(self) -> list[Timeline]:
        """Every warning or error across the checkpoints, in report order, with where it appears;
        gone means a later checkpoint ran the same kind of check and did not find it."""
        firsts: dict[tuple[str, str, str], tuple[Finding, str]] = {}
        present: dict[tuple[str, str, str], list[str]] = {}
        for checkpoint in self.order:
            for kind, findings in self.effective(checkpoint).items():
                for finding in findings:
                    if finding.severity is Severity.INFO:
                        continue
                    key = finding_key(finding)
                    firsts.setdefault(key, (finding, kind))
                    if checkpoint not in present.setdefault(key, []):
                        present[key].append(checkpoint)
        result = []
        kinds = {finding_key(finding): kind for finding, kind in firsts.values()}
        for finding in sorted_findings(finding for finding, _ in firsts.values()):
            key = finding_key(finding)
            where = present[key]
            later = self.order[self.order.index(where[0]) + 1:]
            gone = next((c for c in later if c not in where and kinds[key] in self.effective(c)), None)
            result.append(Timeline(finding, kinds[key], where, where[0], gone))
        return result

    def flat_findings(self) -> list[Finding]:
        """Each distinct finding once, its `where` saying the checkpoint it first appears in: what
        the findings part of every report lists."""
        return list(self._flat().values())

    def flat_keys(self) -> dict[tuple[str, str, str], tuple[str, str, str]]:
        """Each finding's key in the checkpoints' results -> its key in flat_findings(), for the
        HTML matrix's links from a cell to its findings."""
        return {key: finding_key(finding) for key, finding in self._flat().items()}

    def _flat(self) -> dict[tuple[str, str, str], Finding]:
        """Each finding's key in the results -> the finding as flat_findings() lists it, in order."""
        flat: dict[tuple[str, str, str], Finding] = {}
        timelines = {finding_key(t.finding): t for t in self.timelines()}
        for checkpoint in self.order:
            for findings in self.effective(checkpoint).values():
                for finding in findings:
                    key = finding_key(finding)
                    if key in flat:
                        continue
                    timeline = timelines.get(key)
                    span = timeline.describe() if timeline is not None else f"first at {checkpoint}"
                    where = f"{span}: {finding.where}" if finding.where else span
                    flat[key] = dataclasses.replace(finding, where=where)
        return flat

    def to_data(self) -> dict[str, Any]:
        """The JSON report's "checkpoints": what from_data() reads back ("results", "ran", the order,
        the groups by leader, the folders without a tokenizer), then what a reader of the JSON wants
        without recomputing it (each cell, the groups, each finding's first and reverted checkpoint)."""
        return {
            "order": self.order,
            "kinds": self.kinds,
            "matrix": {checkpoint: {kind: self.cell(checkpoint, kind) for kind in self.kinds} for checkpoint in self.order},
            "same_tokenizer_as": dict(self.same_as),
            "groups": self.groups(),
            "without_tokenizer": self.unchecked,
            "findings": [{"code": t.finding.code, "check": t.finding.check, "kind": t.kind,
                          "severity": t.finding.severity.value, "message": t.finding.message, "where": t.finding.where,
                          "first": t.first, "present": t.present, "reverted_at": t.gone_at} for t in self.timelines()],
            "results": {checkpoint: {kind: [finding.to_dict() for finding in findings] for kind, findings in kinds.items()}
                        for checkpoint, kinds in self.results.items()},
            "ran": sorted([checkpoint, kind] for checkpoint, kind in self.ran),
        }

    @classmethod
    def from_data(cls, value: Any, shape: Shape) -> CheckpointMatrix:
        data = shape.mapping(value, "checkpoints")
        for key in ("order", "results", "ran"):
            if key not in data:
                shape.fail("checkpoints", f"no {key!r}: written by a tokcheck older than its HTML matrix; run it again")
        order = shape.texts(data["order"], "checkpoints.order")
        known = set(order)
        same_as = shape.text_map(data.get("same_tokenizer_as", {}), "checkpoints.same_tokenizer_as")
        matrix = cls(order, same_as, unchecked=shape.texts(data.get("without_tokenizer", []),
                                                                    "checkpoints.without_tokenizer"))
        for checkpoint, leader in same_as.items():
            if checkpoint not in known or leader not in known:
                shape.fail(f"checkpoints.same_tokenizer_as.{checkpoint}", "names a checkpoint not in its order")
        for checkpoint, kinds in shape.mapping(data["results"], "checkpoints.results").items():
            if checkpoint not in known:
                shape.fail(f"checkpoints.results.{checkpoint}", "a checkpoint not in its order")
            for kind, findings in shape.mapping(kinds, f"checkpoints.results.{checkpoint}").items():
                matrix.add(checkpoint, kind, shape.findings(findings, f"checkpoints.results.{checkpoint}.{kind}"),
                           skipped=True)
        for index, pair in enumerate(shape.items(data["ran"], "checkpoints.ran")):
            checkpoint, kind = _pair(shape.texts(pair, f"checkpoints.ran[{index}]"), shape, f"checkpoints.ran[{index}]")
            matrix.ran.add((checkpoint, kind))
        return matrix


def _pair(items: list[str], shape: Shape, where: str) -> tuple[str, str]:
    if len(items) != 2:
        shape.fail(where, "expected [checkpoint, kind]")
    return items[0], items[1]


def _rows(matrix: CheckpointMatrix) -> list[list[str]]:
    rows = []
    for checkpoint in matrix.order:
        note = f"same tokenizer as {matrix.same_as[checkpoint]}" if checkpoint in matrix.same_as else ""
        rows.append([checkpoint, *(matrix.cell(checkpoint, kind) for kind in matrix.kinds), note])
    return rows


def checkpoint_lines(matrix: CheckpointMatrix | None) -> list[str]:
    """The terminal report's part: the matrix, the findings' timelines, the groups."""
    if matrix is None:
        return []
    header = ["checkpoint", *matrix.kinds, ""]
    rows = _rows(matrix)
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["", f"CHECKPOINTS ({len(matrix.order)}; {NOT_RUN}: not run)"]
    for row in [header, *rows]:
        lines.append("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    lines += [f"  {folder}: no tokenizer files of its own, not checked" for folder in matrix.unchecked]
    timelines = matrix.timelines()
    if timelines:
        lines += ["", "ACROSS CHECKPOINTS"]
        for timeline in timelines:
            finding = timeline.finding
            lines.append(f"  [{finding.severity.value}] {finding.code}: {timeline.describe()}")
            lines.append(f"      {finding.message}")
    for members in matrix.groups():
        lines.append(f"  same tokenizer, checked once: {', '.join(members)}")
    return lines


def checkpoint_markdown(matrix: CheckpointMatrix | None) -> list[str]:
    """The Markdown report's part: the matrix as a table, then the timelines."""
    if matrix is None:
        return []
    lines = ["### Checkpoints", "", "| checkpoint | " + " | ".join(matrix.kinds) + " | |",
             "|---" * (len(matrix.kinds) + 2) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in _rows(matrix)]
    lines += [f"- {folder}: no tokenizer files of its own, not checked" for folder in matrix.unchecked]
    timelines = matrix.timelines()
    if timelines:
        lines += ["", "| finding | severity | first at | reverted at |", "|---|---|---|---|"]
        lines += [f"| {t.finding.code} | {t.finding.severity.value} | {t.first} | {t.gone_at or ''} |" for t in timelines]
    for members in matrix.groups():
        lines.append(f"- same tokenizer, checked once: {', '.join(members)}")
    return [*lines, ""]
