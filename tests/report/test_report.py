"""The drift report in every format: the header names what was compared and with which libraries,
the verdict counts what fails, findings come by severity with where, values and fix, long details
are capped in the terminal only, and a report file takes its format from its name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tokcheck.environment import library_version
from tokcheck.errors import TokcheckUsageError
from tokcheck.findings import Finding, Severity
from tokcheck.report.context import ReportContext, counts, summary_line
from tokcheck.report.markdown import render_markdown
from tokcheck.report.output import render_file, write_report
from tokcheck.report.run_report import RunReport
from tokcheck.report.structured import render_json
from tokcheck.report.terminal import render_terminal

CONTEXT = ReportContext(sides={"base": "zoo:llama3 (/cache/llama3)", "tuned": "./sft"},
                        settings={"hypothesis profile": "ci", "hypothesis seed": "derandomized"})
ADDED = Finding("vocabulary", "vocab.added-beyond-base", Severity.ERROR, "tuned adds '<|eom_id|>' at id 128256",
                where="tokenizer.json: added_tokens[id=128256]", tuned={"id": 128256, "content": "<|eom_id|>"},
                fix="restore the base tokenizer files")
PAD = Finding("special_roles", "roles.pad-is-eos", Severity.WARNING, "pad | eos", base=None, tuned="<|eot_id|>")
MOVED = Finding("chat_template", "template.moved", Severity.INFO, "template moved", base="a", tuned="b",
                detail="hidden for info")
DIFF = Finding("chat_template", "template.changed", Severity.ERROR, "chat template differs",
               detail="\n".join(["--- base", "+++ tuned", *(f"+line {i}" for i in range(60))]))
FINDINGS = [PAD, MOVED, ADDED, DIFF]
REPORT = RunReport(FINDINGS, CONTEXT)


def test_the_header_names_both_sides_the_libraries_and_the_settings() -> None:
    lines = CONTEXT.header_lines()
    assert lines[:2] == ["base: zoo:llama3 (/cache/llama3)", "tuned: ./sft"]
    assert lines[2] == (f"transformers {library_version('transformers')}, tokenizers {library_version('tokenizers')}, "
                        f"tokcheck {library_version('tokcheck')}")
    assert lines[3] == "hypothesis profile ci, hypothesis seed derandomized"
    assert set(CONTEXT.versions) == {"python", "tokcheck", "transformers", "tokenizers", "hypothesis"}


def test_the_verdict_counts_severities_and_says_whether_warnings_fail() -> None:
    assert counts(FINDINGS) == {"error": 2, "warning": 1, "info": 1}
    assert summary_line(FINDINGS, strict=False) == "DRIFT: 2 error(s), 1 warning(s), 1 info"
    assert summary_line([PAD], strict=False) == "no failing drift: 0 error(s), 1 warning(s), 0 info"
    assert summary_line([PAD], strict=True) == "DRIFT: 0 error(s), 1 warning(s), 0 info (strict: warnings fail)"


def test_the_terminal_report_goes_by_severity_with_where_values_fix_and_capped_detail() -> None:
    lines = render_terminal(REPORT).splitlines()
    error_at, warning_at, info_at = lines.index("ERROR (2)"), lines.index("WARNING (1)"), lines.index("INFO (1)")
    assert error_at < warning_at < info_at
    assert lines[error_at + 1 : error_at + 5] == [
        "  [vocabulary] tuned adds '<|eom_id|>' at id 128256",
        "      where: tokenizer.json: added_tokens[id=128256]",
        '      base: (none) | tuned: {"content": "<|eom_id|>", "id": 128256}',
        "      fix: restore the base tokenizer files",
    ]
    assert "        ... 22 more lines in the JSON report" in lines  # 62 detail lines, 40 shown
    assert "      base: (none) | tuned: <|eot_id|>" in lines
    info = lines[info_at:]
    assert "  [chat_template] template moved" in info and not any("hidden for info" in line or "base: a" in line for line in info)


def test_golden_findings_label_their_values_golden_and_now() -> None:
    golden = Finding("golden_encode", "golden.encode-changed", Severity.ERROR, "ids differ", base=[1], tuned=[2])
    assert "      golden: [1] | now: [2]" in render_terminal(RunReport([golden], ReportContext())).splitlines()


def test_the_json_report_holds_every_finding_whole_with_the_tallies_and_outcomes() -> None:
    data = json.loads(render_json(RunReport(FINDINGS, CONTEXT, {"failed": 2, "passed": 10})))
    assert data["tokcheck_report"] == 1 and data["sides"] == CONTEXT.sides and data["settings"] == CONTEXT.settings
    assert data["summary"] == {"error": 2, "warning": 1, "info": 1} and data["failing"] == 2
    assert data["outcome"] == {"failed": 2, "passed": 10}
    assert [f["code"] for f in data["findings"]] == ["vocab.added-beyond-base", "template.changed", "roles.pad-is-eos",
                                                       "template.moved"]
    assert Finding.from_dict(data["findings"][1]) == DIFF  # the detail is not capped here
    assert RunReport([], ReportContext()).to_data()["findings"] == []


def test_the_markdown_report_is_a_table_with_details_folded_below() -> None:
    text = render_markdown(RunReport(FINDINGS, CONTEXT, {"failed": 2}))
    assert text.startswith("## tokcheck drift report\n\n- base: zoo:llama3 (/cache/llama3)\n")
    assert "- **DRIFT: 2 error(s), 1 warning(s), 1 info**" in text and "Tests: 2 failed" in text
    assert "| warning | special_roles | pad \\| eos |  |  |" in text  # pipes escaped inside cells
    assert "<details><summary>chat_template: chat template differs</summary>\n\n```diff\n--- base" in text
    assert "hidden for info" not in text
    assert render_markdown(RunReport([], ReportContext())).rstrip().endswith("No drift found.")


def test_a_report_file_takes_its_format_from_its_name(tmp_path: Path) -> None:
    assert render_file("r.md", REPORT).startswith("## tokcheck drift report")
    assert render_file("R.MARKDOWN", REPORT).startswith("## tokcheck drift report")
    assert json.loads(render_file("r.json", REPORT))["failing"] == 2
    write_report(tmp_path / "drift.md", REPORT, label="--report drift.md")
    assert (tmp_path / "drift.md").read_text(encoding="utf-8").startswith("## tokcheck drift report")


def test_a_report_that_cannot_be_written_is_one_usage_line(tmp_path: Path) -> None:
    with pytest.raises(TokcheckUsageError, match=r"^--report nowhere/r.json: cannot write \(No such file or directory\)$"):
        write_report(tmp_path / "nowhere" / "r.json", REPORT, label="--report nowhere/r.json")
