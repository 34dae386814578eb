"""Writing a report file: the format follows the file name (.md Markdown, .html HTML, else JSON),
and a path that cannot be written is one usage-error line."""

from __future__ import annotations

from pathlib import Path

from tokcheck.errors import TokcheckUsageError
from tokcheck.report.html import render_html
from tokcheck.report.markdown import render_markdown
from tokcheck.report.run_report import RunReport
from tokcheck.report.structured import render_json


def render_file(path: str, report: RunReport) -> str:
    """JSON, Markdown when the path ends in .md, HTML when it ends in .html."""
    if path.lower().endswith((".md", ".markdown")):
        return render_markdown(report)
    if path.lower().endswith((".html", ".htm")):
        return render_html(report)
    return render_json(report)


def write_report(path: Path, report: RunReport, *, label: str) -> None:
    """Write `report` to `path`; `label` (the option and the path as given) starts the error line."""
    try:
        path.write_text(render_file(str(path), report), encoding="utf-8")
    except OSError as error:
        raise TokcheckUsageError(f"{label}: cannot write ({error.strerror})") from None
