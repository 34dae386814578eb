"""The report -> JSON: every finding whole, with the header, the tallies, the test outcomes and the
checkpoints, for CI artifacts and for rendering again later (RunReport.from_data reads it back)."""

from __future__ import annotations

import json

from tokcheck.report.run_report import RunReport


def render_json(report: RunReport) -> str:
    return json.dumps(report.to_data(), indent=2, ensure_ascii=False, default=str) + "\n"
