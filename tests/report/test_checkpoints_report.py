"""The report across checkpoints: the matrix, first appearance and reverts, identical groups."""

from __future__ import annotations

import json

from tokcheck.findings import Finding, Severity
from tokcheck.report.checkpoints import CheckpointMatrix, checkpoint_lines
from tokcheck.report.context import ReportContext
from tokcheck.report.markdown import render_markdown
from tokcheck.report.run_report import RunReport
from tokcheck.report.structured import render_json
from tokcheck.report.terminal import render_terminal

EOM = Finding("vocabulary", "vocab.added-beyond-base", Severity.ERROR, "tuned adds '<|eom_id|>'", where="tokenizer.json")
NO_BOS = Finding("post_processor", "pipeline.post-processor-changed", Severity.ERROR, "no BOS", where="tokenizer.json")


def _matrix() -> CheckpointMatrix:
    matrix = CheckpointMatrix(order=["c500", "c1000", "c1500", "c2000", "c2500"], same_as={"c1000": "c500", "c2000": "c500"})
    matrix.add("c500", "static", [])
    matrix.add("c500", "sweeps", [])
    matrix.add("c1500", "static", [EOM])
    matrix.add("c1500", "sweeps", [])
    matrix.add("c2500", "static", [NO_BOS])
    matrix.add("c2000", "model", [Finding("model_rows", "model.rows", Severity.WARNING, "short")])
    return matrix


def test_a_finding_is_dated_to_its_first_checkpoint_and_a_later_one_without_it_reverts_it() -> None:
    timelines = {t.finding.code: t for t in _matrix().timelines()}
    assert (timelines[EOM.code].first, timelines[EOM.code].gone_at) == ("c1500", "c2000")
    assert (timelines[NO_BOS.code].first, timelines[NO_BOS.code].gone_at) == ("c2500", None)
    assert timelines["model.rows"].present == ["c2000"]


def test_identical_checkpoints_take_their_leaders_tokenizer_findings_but_keep_their_own_model_findings() -> None:
    matrix = _matrix()
    assert [matrix.cell("c1000", kind) for kind in matrix.kinds] == ["ok", "ok", "-"]
    assert [matrix.cell("c2000", kind) for kind in matrix.kinds] == ["ok", "ok", "warning"]
    assert matrix.groups() == [["c500", "c1000", "c2000"]]


def test_every_format_carries_the_matrix_and_the_flat_list_names_the_first_checkpoint() -> None:
    matrix = _matrix()
    flat = matrix.flat_findings()
    assert [f.where for f in flat if f.code == EOM.code] == ["first at c1500; gone again at c2000 (reverted): tokenizer.json"]
    context = ReportContext(sides={"base": "b"})
    terminal = render_terminal(RunReport(flat, context, checkpoints=matrix))
    assert "CHECKPOINTS (5; -: not run)" in terminal and "same tokenizer, checked once: c500, c1000, c2000" in terminal
    assert checkpoint_lines(matrix)[3].split() == ["c500", "ok", "ok", "-"]
    data = json.loads(render_json(RunReport(flat, context, checkpoints=matrix)))["checkpoints"]
    assert data["matrix"]["c1500"] == {"static": "error", "sweeps": "ok", "model": "-"}
    assert {f["code"]: f["reverted_at"] for f in data["findings"]}[EOM.code] == "c2000"
    assert "| c1000 | ok | ok | - | same tokenizer as c500 |" in render_markdown(RunReport(flat, context, checkpoints=matrix))


def test_a_single_pair_report_has_no_checkpoint_part() -> None:
    context = ReportContext(sides={"base": "b", "tuned": "t"})
    assert "checkpoints" not in json.loads(render_json(RunReport([EOM], context)))
    assert "CHECKPOINTS" not in render_terminal(RunReport([EOM], context))


def test_a_kind_whose_tests_all_skipped_reads_skipped_not_ok() -> None:
    matrix = CheckpointMatrix(order=["a"], same_as={})
    matrix.add("a", "model", [Finding("model_files", "model.weights-unreadable", Severity.INFO, "no base")], skipped=True)
    matrix.add("a", "static", [])
    assert (matrix.cell("a", "model"), matrix.cell("a", "static")) == ("skipped", "ok")
