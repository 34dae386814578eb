"""The drift report of a pytest run: gathers the findings tests attach to their reports (which also
travel from xdist workers), prints the report after the results, and writes --tokcheck-report.
Findings are ordered by the test that found them, not by when its report arrived, so the report is
the same with and without xdist."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, cast

import pytest

from tokcheck.errors import TokcheckUsageError
from tokcheck.findings import Finding
from tokcheck.plugin.checkpoint_report import CheckpointCollector
from tokcheck.plugin.options import REPORT
from tokcheck.plugin.state import PluginRun
from tokcheck.plugin.verdict import FINDINGS_PROPERTY
from tokcheck.report.context import ReportContext
from tokcheck.report.output import write_report
from tokcheck.report.terminal import render_terminal

REPORTER_NAME = "tokcheck-drift-reporter"


def _test_order(report: pytest.TestReport) -> tuple[Any, ...]:
    """Where a test stands in the suite: file, line, then its id with numbers compared as numbers
    (shard10of12 after shard2of12)."""
    path, line, _ = report.location
    natural = tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", report.nodeid))
    return (path, line if line is not None else -1, natural)


class DriftReporter:
    def __init__(self, config: pytest.Config, run: PluginRun) -> None:
        self.config = config
        self.run = run
        self.found: list[tuple[tuple[Any, ...], list[Finding]]] = []
        self.outcomes: Counter[str] = Counter()
        self.ran_checks = False
        self.across = CheckpointCollector(run.checkpoints, strict=run.session.settings.strict) if run.checkpoints else None

    @property
    def findings(self) -> list[Finding]:
        if self.across is not None:  # each distinct finding once, with the checkpoint it first appears in
            return self.across.matrix().flat_findings()
        return [finding for _, findings in sorted(self.found, key=lambda entry: entry[0]) for finding in findings]

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.outcomes[report.outcome] += 1
        if report.when != "call":
            return
        for name, value in report.user_properties:
            if name == FINDINGS_PROPERTY:
                self.ran_checks = True
                self.found.append((_test_order(report), [Finding.from_dict(item) for item in cast(list, value)]))
        if self.across is not None:
            self.across.take(report, _test_order(report))

    def context(self) -> ReportContext:
        context = self.run.report_context()
        if self.across is not None:
            context.checkpoints = self.across.matrix()
        return context

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        suite_expected = self.run.session.has_pair and not self.run.no_suite
        if not self.ran_checks and not suite_expected:
            return
        terminalreporter.section("tokcheck drift report")
        if not self.ran_checks:
            terminalreporter.write_line("no tokcheck checks ran (deselected, or collection stopped early)")
            return
        for line in render_terminal(self.findings, self.context()).splitlines():
            terminalreporter.write_line(line)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        path = self.config.getoption(REPORT.dest)
        if not path:
            return
        target = self.config.invocation_params.dir / path
        try:
            write_report(target, self.findings, self.context(), dict(self.outcomes),
                         label=f"{REPORT.flags[0]} {path}")
        except TokcheckUsageError as error:
            raise pytest.UsageError(str(error)) from None
