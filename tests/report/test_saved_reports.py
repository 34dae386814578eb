"""A report survives its own JSON: for a pair and for a run over checkpoints, every format rendered
from the saved JSON is the live one, and `tokcheck report` on a damaged report ends in one usage
line (exit 2), never a traceback. The reports hold real findings: the static, special-token and
sweep findings of zoo:llama3 vs its <|eom_id|> and merges mutants (token boxes), and the model row
findings of a checkpoint whose new row is all zeros (row norms)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.checks.model.fixtures import Checkpoints
from tests.fuzz import mutations
from tokcheck.checks.model.inspection import ModelInspection
from tokcheck.cli import main
from tokcheck.findings import Finding
from tokcheck.report.checkpoints import CheckpointMatrix
from tokcheck.report.context import ReportContext
from tokcheck.report.html import render_html
from tokcheck.report.markdown import render_markdown
from tokcheck.report.run_report import RunReport
from tokcheck.report.structured import render_json
from tokcheck.report.terminal import render_terminal

Drift = Callable[[str], tuple[list[Finding], ReportContext]]
RENDERERS = {"terminal": render_terminal, "json": render_json, "markdown": render_markdown, "html": render_html}


@pytest.fixture(scope="module")
def reports(drift_of: Drift, checkpoints: Checkpoints, inspect: Callable[..., ModelInspection]) -> dict[str, RunReport]:
    eom, context = drift_of("llama3-eom")
    merges, _ = drift_of("llama3-merges-reordered")
    rows = inspect(checkpoints.base, checkpoints.eom_zero_row).findings["model_trained_rows"]
    assert any((finding.evidence or {}).get("norms") for finding in rows)
    matrix = CheckpointMatrix(order=["checkpoint-500", "checkpoint-1000", "checkpoint-1500", "checkpoint-2000"],
                              same_as={"checkpoint-1000": "checkpoint-500"}, unchecked=["checkpoint-2500"])
    for checkpoint, findings in (("checkpoint-500", merges), ("checkpoint-1500", eom), ("checkpoint-2000", [])):
        matrix.add(checkpoint, "static", [f for f in findings if not f.check.startswith(("behaviour.", "sweep."))])
        matrix.add(checkpoint, "behaviour", [f for f in findings if f.check.startswith("behaviour.")])
        matrix.add(checkpoint, "sweeps", [f for f in findings if f.check.startswith("sweep.")], skipped=not findings)
    matrix.add("checkpoint-1500", "model", rows)
    return {"pair": RunReport([*eom, *rows], context, {"failed": 9, "passed": 31}),
            "run": RunReport(matrix.flat_findings(), context, {"failed": 12, "passed": 50}, matrix)}


@pytest.mark.parametrize("kind", ["pair", "run"])
@pytest.mark.parametrize("render", RENDERERS)
def test_every_format_renders_the_saved_json_as_it_rendered_the_live_report(
    reports: dict[str, RunReport], kind: str, render: str
) -> None:
    live = reports[kind]
    saved = RunReport.from_data(json.loads(render_json(live)), "saved.json")
    assert RENDERERS[render](saved) == RENDERERS[render](live)


def test_a_runs_json_keeps_its_matrix_and_the_terminal_shows_it(reports: dict[str, RunReport]) -> None:
    saved = RunReport.from_data(json.loads(render_json(reports["run"])), "saved.json")
    assert saved.checkpoints is not None and saved.checkpoints.order[0] == "checkpoint-500"
    text = render_terminal(saved)
    assert "CHECKPOINTS (4; -: not run)" in text and "checkpoint-2500: no tokenizer files of its own" in text
    assert [saved.checkpoints.cell("checkpoint-2000", kind) for kind in ("static", "sweeps")] == ["ok", "skipped"]


def test_a_report_from_an_older_tokcheck_is_one_line_saying_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    older = {"tokcheck_report": 1, "findings": [], "checkpoints": {"order": ["a"], "matrix": {"a": {}}, "findings": []}}
    (tmp_path / "old.json").write_text(json.dumps(older), encoding="utf-8")
    assert main(["report", str(tmp_path / "old.json"), "-o", str(tmp_path / "old.html")]) == 2
    assert "written by a tokcheck older than its HTML matrix; run it again" in capsys.readouterr().err


EXAMPLES = int(os.environ.get("TOKCHECK_FUZZ_EXAMPLES", "200"))


@pytest.mark.parametrize("kind", ["pair", "run"])
def test_a_damaged_saved_report_is_one_usage_line_or_renders(
    reports: dict[str, RunReport], kind: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    original = render_json(reports[kind]).encode("utf-8")

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=os.environ.get("CI") == "true",
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
    @given(damaged=mutations.json_damage(original, depth=9))
    def check(damaged: bytes) -> None:
        directory = tmp_path_factory.mktemp("damaged")
        saved = directory / "r.json"
        saved.write_bytes(damaged)
        outputs = [directory / name for name in ("r.html", "r.md", "again.json")]
        code = main(["report", str(saved), *(part for path in outputs for part in ("-o", str(path)))])
        assert code in (0, 2)
        if code == 2:
            assert not any(path.exists() for path in outputs)

    check()


def test_the_damage_reaches_the_checkpoints_and_the_evidence(reports: dict[str, RunReport]) -> None:
    """The fuzzer's key paths go as deep as a cell's finding's token boxes (depth 9)."""
    paths = mutations.key_paths(json.loads(render_json(reports["run"])), depth=9)
    assert ("checkpoints", "results", "checkpoint-1500", "behaviour", 0, "evidence", "tokens", "base", "ids") in paths
    assert any(path[0] == "findings" and "tokens" in path for path in paths)
    assert any(path[0] == "findings" and "norms" in path for path in paths)
