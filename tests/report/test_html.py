"""The HTML report as a file (the browser tests open it in Chromium): self-contained, with the
header, the entries by severity then check, every finding and every counterexample's ids, the
filters; `tokcheck report` renders a saved JSON report into it; a multi-checkpoint report gets the
checkpoint x check matrix."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.report.page import Page
from tokcheck.cli import main
from tokcheck.findings import Finding
from tokcheck.report.checkpoints import CheckpointMatrix
from tokcheck.report.context import ReportContext
from tokcheck.report.html import render_html
from tokcheck.report.output import write_report
from tokcheck.report.run_report import RunReport

Drift = Callable[[str], tuple[list[Finding], ReportContext]]




def test_the_page_asks_for_nothing_outside_itself(drift_of: Drift) -> None:
    page = render_html(RunReport(*drift_of("llama3-eom")))
    parsed = Page(page)
    for tag, attrs in parsed.tags:
        assert tag not in ("link", "img", "iframe", "object", "embed"), tag
        assert "src" not in attrs, (tag, attrs)
        assert not attrs.get("href", "#").lstrip("#") or attrs["href"].startswith("#"), attrs
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", page)  # the SVG namespace is a name, not a request
    assert "@import" not in page and "url(" not in page
    assert "default-src 'none'" in page  # and the browser is told to refuse any request


def test_the_page_has_the_header_the_entries_and_every_finding(drift_of: Drift) -> None:
    findings, context = drift_of("llama3-eom")
    page = render_html(RunReport(findings, context, {"failed": 9, "passed": 40}))
    parsed = Page(page)
    headings = [tag for tag, _ in parsed.tags if tag in ("h1", "h2")]
    assert headings[0] == "h1" and "h2" in headings
    text = " ".join(parsed.text)
    for value in (*context.sides.values(), "transformers", "hypothesis seed", "9 failed", "DRIFT: "):
        assert value.split(" (")[0] in text
    numbers = sorted(int(attrs["data-finding"]) for tag, attrs in parsed.tags if "data-finding" in attrs)
    assert numbers == list(range(len(findings)))
    entries = [attrs for tag, attrs in parsed.tags if tag == "section" and "entry" in attrs.get("class", "")]
    assert entries[0]["data-severity"] == "error" and "sweep.added_tokens" in entries[0]["data-checks"].split()
    assert sum(1 for entry in entries if entry["data-severity"] == "error") == 2  # <|eom_id|> and pad = eos


def test_each_counterexample_has_its_ids_in_boxes_in_order(drift_of: Drift) -> None:
    findings, context = drift_of("llama3-eom")
    found = next(finding for finding in findings if finding.check == "behaviour.special_tokens")
    parsed = Page(render_html(RunReport([found], context)))
    boxes = [attrs for tag, attrs in parsed.tags if "tok" in attrs.get("class", "").split()]
    assert [int(box["data-id"]) for box in boxes if box["data-side"] == "base"] == found.base
    assert [int(box["data-id"]) for box in boxes if box["data-side"] == "tuned"] == found.tuned
    tuned = next(box for box in boxes if box["data-side"] == "tuned")
    assert {"special", "differs"} <= set(tuned["class"].split()) and "special token" in tuned["aria-label"]
    assert "first difference" in next(box for box in boxes if box["data-side"] == "base")["aria-label"]


def test_tokcheck_report_renders_a_saved_json_report(drift_of: Drift, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    findings, context = drift_of("llama3-eom")
    write_report(tmp_path / "drift.json", RunReport(findings, context, {"failed": 9}), label="test")
    assert main(["report", str(tmp_path / "drift.json"), "-o", str(tmp_path / "drift.html"),
                 "-o", str(tmp_path / "drift.md")]) == 0
    page = (tmp_path / "drift.html").read_text(encoding="utf-8")
    assert page == render_html(RunReport(findings, context, {"failed": 9}))  # the page the run itself would have written
    assert (tmp_path / "drift.md").read_text(encoding="utf-8").startswith("## tokcheck drift report")
    out = capsys.readouterr().out
    assert f"wrote {tmp_path / 'drift.html'} ({len(findings)} findings)" in out and f"wrote {tmp_path / 'drift.md'}" in out


@pytest.mark.parametrize(("content", "message"), [
    (None, "cannot read (No such file or directory)"),
    ("not json", "not a JSON file"),
    ('{"findings": []}', "not a tokcheck JSON report"),
    ('{"tokcheck_report": 1, "findings": [{"check": "x"}]}', "findings[0]: a finding without 'code'"),
    ('{"tokcheck_report": 1, "findings": [], "checkpoints": {"order": ["a"], "results": [], "ran": []}}',
     "checkpoints.results: expected an object, found a list"),
    ('{"tokcheck_report": 1, "findings": [], "checkpoints": {"order": ["a"], "results": {}, "ran": [["a"]]}}',
     "checkpoints.ran[0]: expected [checkpoint, kind]"),
    ('{"tokcheck_report": 1, "findings": [], "checkpoints": [{"name": "a", "findings": []}]}',
     "checkpoints: expected an object, found a list"),
])
def test_a_bad_saved_report_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     content: str | None, message: str) -> None:
    saved = tmp_path / "saved.json"
    if content is not None:
        saved.write_text(content, encoding="utf-8")
    assert main(["report", str(saved), "-o", str(tmp_path / "out.html")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"tokcheck: error: {saved}: {message}") and err.count("\n") == 1
    assert not (tmp_path / "out.html").exists()


def test_a_run_gets_a_checkpoint_by_kind_matrix_whose_cells_link_to_their_findings(drift_of: Drift, tmp_path: Path) -> None:
    eom, context = drift_of("llama3-eom")
    merges, _ = drift_of("llama3-merges-reordered")
    matrix = CheckpointMatrix(order=["step-100", "step-200", "step-300"], same_as={"step-300": "step-100"})
    for checkpoint, findings in (("step-100", eom), ("step-200", merges)):
        matrix.add(checkpoint, "static", [f for f in findings if not f.check.startswith(("behaviour.", "sweep."))])
        matrix.add(checkpoint, "sweeps", [f for f in findings if f.check.startswith("sweep.")])
    saved = tmp_path / "run.json"
    write_report(saved, RunReport(matrix.flat_findings(), context, checkpoints=matrix), label="t")
    assert main(["report", str(saved), "-o", str(tmp_path / "run.html")]) == 0
    parsed = Page((tmp_path / "run.html").read_text(encoding="utf-8"))
    ids = {attrs["id"] for _, attrs in parsed.tags if "id" in attrs}
    links = {attrs["href"] for tag, attrs in parsed.tags if tag == "a"}
    assert all(link[1:] in ids for link in links)
    cells = {(attrs["data-checkpoint"], attrs["data-kind"]): attrs for tag, attrs in parsed.tags if tag == "td" and "data-kind" in attrs}
    data = json.loads(saved.read_text(encoding="utf-8"))["checkpoints"]
    assert {key: cell["data-state"] for key, cell in cells.items()} == {
        (checkpoint, kind): state for checkpoint, row in data["matrix"].items() for kind, state in row.items()}
    # step-300 has step-100's tokenizer: its cells are step-100's; step-200 drops the eom and adds its own
    assert cells[("step-300", "static")]["data-count"] == cells[("step-100", "static")]["data-count"] != "0"
    eom_code = "vocab.added-beyond-base"
    eom_first = next(t for t in data["findings"] if t["code"] == eom_code)
    assert (eom_first["first"], eom_first["reverted_at"]) == ("step-100", "step-200")
    text = "".join(parsed.text)
    assert f"new: {eom_code}" in text and f"reverted: {eom_code}" in text
    assert "Checkpoints by check" in text
