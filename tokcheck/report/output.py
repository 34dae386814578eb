"""Writing a report file: the format follows the file name (.md Markdown, .html HTML, else JSON),
and a path that cannot be written is one usage-error line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tokcheck.errors import TokcheckUsageError
from tokcheck.findings import Finding
from tokcheck.report.context import ReportContext
from tokcheck.report.html import Checkpoint, render_html
from tokcheck.report.markdown import render_markdown
from tokcheck.report.structured import render_json


def render_file(path: str, findings: list[Finding], context: ReportContext, outcome: dict[str, Any] | None = None,
                checkpoints: Sequence[Checkpoint] = ()) -> str:
    """JSON, Markdown when the path ends in .md, HTML when it ends in .html."""
    if path.lower().endswith((".md", ".markdown")):
        return render_markdown(findings, context, outcome)
    if path.lower().endswith((".html", ".htm")):
        return render_html(findings, context, outcome, checkpoints)
    return render_json(findings, context, outcome)


def write_report(path: Path, findings: list[Finding], context: ReportContext, outcome: dict[str, Any] | None = None,
                 *, label: str, checkpoints: Sequence[Checkpoint] = ()) -> None:
    """Write the report for `findings` to `path`; `label` (the option and the path as given)
    starts the error line."""
    try:
        path.write_text(render_file(str(path), findings, context, outcome, checkpoints), encoding="utf-8")
    except OSError as error:
        raise TokcheckUsageError(f"{label}: cannot write ({error.strerror})") from None
