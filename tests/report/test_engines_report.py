"""The engines table on real findings: Qwen2 with generation_config.json shrunk to <|endoftext|>
(zoo:qwen2-turn-end-not-a-stop) changes the stop set of transformers and MLX-LM only, which is
what each format shows; a dropped <|python_tag|> breaks the parsers of vLLM and SGLang and every
engine's tokens; a JSON report read back draws the same table."""

from __future__ import annotations

import json

import pytest

from tokcheck import zoo
from tokcheck.checks.checked_session import CheckedSession
from tokcheck.findings import Finding
from tokcheck.report.context import ReportContext
from tokcheck.report.engines import COLUMNS, ENGINES, engine_data, engine_table
from tokcheck.report.html import render_html
from tokcheck.report.markdown import render_markdown
from tokcheck.report.run_report import RunReport
from tokcheck.report.structured import render_json
from tokcheck.report.terminal import render_terminal
from tokcheck.session import Settings, SpecSetting

TRANSFORMERS, LLAMACPP = "transformers generate()", "llama.cpp (a GGUF converted from it)"


def _static(base: str, tuned: str) -> list[Finding]:
    session = CheckedSession(Settings(base=SpecSetting(str(zoo.path_for(base))), tuned=SpecSetting(str(zoo.path_for(tuned)))))
    return [finding for check in session.static.values() for finding in check]


@pytest.fixture(scope="module")
def stop_drift() -> list[Finding]:
    return _static("qwen2", "qwen2-turn-end-not-a-stop")


def test_a_shrunk_stop_set_marks_only_the_engines_that_run_past_the_turn_end(stop_drift: list[Finding]) -> None:
    table = engine_table(stop_drift)
    assert [engine for engine in ENGINES if table.mark(engine, "stop set") == "✗"] == [TRANSFORMERS, "MLX-LM"]
    assert all(table.mark(engine, column) == "✓" for engine in ENGINES for column in COLUMNS if column != "stop set")


def test_every_format_shows_the_table(stop_drift: list[Finding]) -> None:
    report = RunReport(stop_drift, ReportContext(sides={"base": "zoo:qwen2", "tuned": "t"}))
    terminal = render_terminal(report).splitlines()
    row = next(line for line in terminal if line.strip().startswith("MLX-LM"))
    assert row.split()[1:] == ["✓", "✗", "✓", "✓", "✓", "✓"]
    assert "| MLX-LM | ✓ | ✗ `model-config.eos-not-a-stop`, `model-config.stop-set-changed` |" in render_markdown(report)
    html = render_html(report)
    assert '<section id="engines">' in html and 'data-engine="vLLM" data-column="stop set">✓</td>' in html
    assert 'data-engine="MLX-LM" data-column="stop set">✗ <a href="#f' in html
    data = json.loads(render_json(report))
    assert data["engines"]["vLLM"]["stop set"] == [] and data["engines"]["MLX-LM"]["stop set"]
    again = RunReport.from_data(data, "saved.json")
    assert engine_data(again.findings) == data["engines"]


def test_a_dropped_parser_marker_breaks_the_parsers_and_every_engines_tokens() -> None:
    table = engine_table(_static("llama3.1", "llama3.1-python-tag-dropped"))
    assert [engine for engine in ENGINES if table.mark(engine, "parser markers") == "✗"] == ["vLLM", "SGLang"]
    assert all(table.mark(engine, "tokens") == "✗" for engine in ENGINES)
    assert table.mark(LLAMACPP, "stop set") == "✓"


def test_the_ollama_row_holds_the_modelfiles_findings_only() -> None:
    table = engine_table(_static("llama3.1", "llama3.1-modelfile-stop-no-turn-end"))
    assert table.mark("Ollama", "stop set") == "✗"
    assert {finding.check for finding in table.findings("Ollama", "stop set")} == {"ollama"}
    assert all(table.mark(engine, column) == "✓" for engine in ENGINES if engine != "Ollama" for column in COLUMNS)
