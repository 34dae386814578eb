"""The drift report of a pytest run: gathers the findings tests attach to their reports (which also
travel from xdist workers), prints the report after the results, and writes --tokcheck-report.
Findings are ordered by the test that found them, not by when its report arrived, so the report is
the same with and without xdist. When GITHUB_STEP_SUMMARY names a file (GitHub Actions), the
Markdown report is appended to it too."""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path
from typing import Any, cast

import pytest

from tokcheck.errors import TokcheckUsageError
from tokcheck.findings import Finding
from tokcheck.plugin import fix_after
from tokcheck.plugin.checkpoint_report import CheckpointCollector
from tokcheck.plugin.options import REPORT
from tokcheck.plugin.state import PluginRun
from tokcheck.plugin.verdict import FINDINGS_PROPERTY
from tokcheck.report.markdown import render_markdown
from tokcheck.report.output import write_report
from tokcheck.report.run_report import RunReport
from tokcheck.report.terminal import render_terminal

REPORTER_NAME = "tokcheck-drift-reporter"
STEP_SUMMARY_VARIABLE = "GITHUB_STEP_SUMMARY"


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
        self.across = CheckpointCollector(run.checkpoints) if run.checkpoints.several else None

    def report(self) -> RunReport:
        """The run's report: every finding in suite order or, across checkpoints, each distinct one
        once with the checkpoint it first appears in, and the matrix."""
        context = self.run.report_context()
        if self.across is not None:
            matrix = self.across.matrix()
            return RunReport(matrix.flat_findings(), context, dict(self.outcomes), matrix)
        found = [finding for _, findings in sorted(self.found, key=lambda entry: entry[0]) for finding in findings]
        return RunReport(found, context, dict(self.outcomes))

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

    def pytest_terminal_summary(self, terminalreporter: Any, exitstatus: int) -> None:
        self.drift_summary(terminalreporter)
        if fix_after.wanted(self.config, exitstatus):
            fix_after.write_fixed_copy(self.config, self.run.settings, terminalreporter)

    def drift_summary(self, terminalreporter: Any) -> None:
        suite_expected = self.run.checkpoints.has_pair and not self.run.no_suite
        if not self.ran_checks and not suite_expected:
            return
        terminalreporter.section("tokcheck drift report")
        if not self.ran_checks:
            terminalreporter.write_line("no tokcheck checks ran (deselected, or collection stopped early)")
            return
        # The writer's markup colours only when --color and the output (a TTY, or --color=yes) allow it.
        markup = terminalreporter._tw.markup
        for line in render_terminal(self.report(), markup).splitlines():
            terminalreporter.write_line(line)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        paths = self.config.getoption(REPORT.dest) or []
        summary = os.environ.get(STEP_SUMMARY_VARIABLE)
        if not paths and not (summary and self.ran_checks):
            return
        report = self.report()
        if summary and self.ran_checks:
            self.append_step_summary(summary, report)
        for path in paths:
            try:
                write_report(self.config.invocation_params.dir / path, report, label=f"{REPORT.flags[0]} {path}")
            except TokcheckUsageError as error:
                raise pytest.UsageError(str(error)) from None

    @staticmethod
    def append_step_summary(summary: str, report: RunReport) -> None:
        """GitHub Actions shows the Markdown appended to $GITHUB_STEP_SUMMARY on the run's page."""
        try:
            with Path(summary).open("a", encoding="utf-8") as file:
                file.write(render_markdown(report) + "\n")
        except OSError as error:
            raise pytest.UsageError(f"{STEP_SUMMARY_VARIABLE}={summary}: cannot append ({error.strerror})") from None
