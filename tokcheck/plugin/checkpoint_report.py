"""The drift report's part for a run over several tuned checkpoints: which checkpoint each test's
findings belong to and the kind of check it runs (the verdict attaches both to the test report,
so they travel from xdist workers too), gathered into the matrix of tokcheck.report.checkpoints in suite order, so that
the report is the same whatever order the reports arrive in."""

from __future__ import annotations

from typing import Any, cast

import pytest

from tokcheck.checks.checkpoints import CheckpointRun
from tokcheck.checks.registry import PROJECT_KIND
from tokcheck.findings import Finding
from tokcheck.plugin.verdict import CHECKPOINT_PROPERTY, FINDINGS_PROPERTY, KIND_PROPERTY
from tokcheck.report.checkpoints import CheckpointMatrix


class CheckpointCollector:
    def __init__(self, checkpoints: CheckpointRun) -> None:
        self.checkpoints = checkpoints
        self.found: list[tuple[tuple[Any, ...], str, str, list[Finding], bool]] = []

    def take(self, report: pytest.TestReport, order: tuple[Any, ...]) -> None:
        properties = dict(report.user_properties)
        checkpoint = properties.get(CHECKPOINT_PROPERTY)
        if checkpoint is None or FINDINGS_PROPERTY not in properties:
            return
        findings = [Finding.from_dict(item) for item in cast(list, properties[FINDINGS_PROPERTY])]
        self.found.append((order, str(checkpoint), str(properties.get(KIND_PROPERTY, PROJECT_KIND)), findings, report.skipped))

    def matrix(self) -> CheckpointMatrix:
        run = self.checkpoints
        matrix = CheckpointMatrix(
            order=run.ids(),
            same_as={c.id: c.same_as for c in run.checkpoints if c.same_as is not None},
            unchecked=list(run.without_tokenizer),
        )
        for _, checkpoint, kind, findings, skipped in sorted(self.found, key=lambda entry: entry[0]):
            matrix.add(checkpoint, kind, findings, skipped=skipped)
        return matrix
