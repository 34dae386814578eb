"""One root cause, one entry: on the demo pair the <|eom_id|> findings of the static checks and the
behaviour checks that repeat them become one entry, pad = eos stays its own, and the grouping
changes no finding; a behaviour-only drift stays alone; a pipeline-part drift groups by part."""

from __future__ import annotations

import json
from collections.abc import Callable

from tokcheck.findings import Finding, Severity
from tokcheck.report.context import ReportContext
from tokcheck.report.grouping import group_findings
from tokcheck.report.markdown import render_markdown
from tokcheck.report.run_report import RunReport
from tokcheck.report.structured import render_json
from tokcheck.report.terminal import render_terminal

Drift = Callable[[str], tuple[list[Finding], ReportContext]]


def test_the_demo_pair_leads_with_one_eom_entry_then_pad_is_eos(drift_of: Drift) -> None:
    findings, _ = drift_of("llama3-eom")
    entries = group_findings(findings)
    failing = [entry for entry in entries if entry.severity is not Severity.INFO]
    assert [entry.head.code for entry in failing] == ["vocab.added-beyond-base", "roles.pad-is-eos"]
    eom = failing[0]
    assert eom.cause == "'<|eom_id|>'"
    assert {finding.code for finding in eom.related} == {"model-config.ids-beyond-vocab-size", "roles.extra-added"}
    seen = {finding.check for finding in eom.seen_by}
    assert {"behaviour.special_tokens", "behaviour.special_literals", "sweep.added_tokens", "sweep.custom_texts"} <= seen
    assert all(not finding.check.startswith(("behaviour.", "sweep.")) for finding in [eom.head, *eom.related])
    assert not failing[1].grouped  # pad = eos names <|eot_id|>: another cause


def test_grouping_keeps_every_finding_once_and_the_verdict_as_it_was(drift_of: Drift) -> None:
    findings, context = drift_of("llama3-eom")
    members = [finding for entry in group_findings(findings) for finding in entry.members]
    assert sorted(map(repr, members)) == sorted(map(repr, findings))
    data = json.loads(render_json(RunReport(findings, context)))
    assert data["failing"] == sum(finding.fails(False) for finding in findings)
    covered = sorted(i for group in data["groups"] for i in [group["head"], *group["related"], *group["seen_by"]])
    assert covered == list(range(len(data["findings"])))
    head = data["findings"][data["groups"][0]["head"]]
    assert head["code"] == "vocab.added-beyond-base" and data["groups"][0]["cause"] == "'<|eom_id|>'"


def test_every_format_tells_the_eom_cause_once(drift_of: Drift) -> None:
    findings, context = drift_of("llama3-eom")
    terminal = render_terminal(RunReport(findings, context))
    errors = terminal[terminal.index("ERROR (") :].split("\nINFO (")[0]
    headlines = [line for line in errors.splitlines() if line.startswith("  [")]
    assert [line.split("]")[0] for line in headlines] == ["  [vocabulary", "  [special_roles"]
    assert "also seen by" in errors and "sweep.added_tokens" in errors
    markdown = render_markdown(RunReport(findings, context))
    rows = [line for line in markdown.splitlines() if line.startswith("| error |")]
    assert len(rows) == 2 and "behaviour.special_tokens" in rows[0] and "'<\\|eot_id\\|>'" in rows[1]
    assert "<details><summary>vocabulary: tuned adds special token '&lt;|eom_id|&gt;'" in markdown
    assert markdown.count("<details>") == 1  # the eom entry: its detail, the related checks, the examples


def test_a_pipeline_part_drift_groups_under_its_static_finding(drift_of: Drift) -> None:
    findings, _ = drift_of("llama3-merges-reordered")
    failing = [entry for entry in group_findings(findings) if entry.severity is Severity.ERROR]
    assert len(failing) == 1 and failing[0].head.code == "model.merges-reordered"
    assert [finding.check for finding in failing[0].seen_by] == ["sweep.merges"]


def test_a_behaviour_only_drift_stays_its_own_entry(drift_of: Drift) -> None:
    findings, _ = drift_of("llama3-eom")
    behaviour = [finding for finding in findings if finding.check.startswith("sweep.")]
    entries = group_findings(behaviour)
    assert [entry.head for entry in entries] == behaviour and not any(entry.grouped for entry in entries)
