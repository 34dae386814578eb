"""The zoo's training run directories through the whole built-in suite: the drifted run fails,
naming the checkpoint where each drift first appears (and the one that reverts it), checks each
group of identical checkpoints once, and the run where every save is benign passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tokcheck.plugin import BASE_OPTION, QUICK_OPTION, REPORT_OPTION, TUNED_OPTION
from tokcheck.zoo.training_runs import RUNS, build_run


def _suite(pytester: pytest.Pytester, name: str, tmp_path: Path) -> tuple[pytest.RunResult, dict]:
    run_dir = build_run(name, tmp_path / name)
    result = pytester.runpytest_subprocess(BASE_OPTION, f"zoo:{RUNS[name].base}", TUNED_OPTION, str(run_dir), QUICK_OPTION,
                                           "--hypothesis-seed", "3", "-p", "no:randomly", "-rA", REPORT_OPTION, "report.json")
    return result, json.loads((pytester.path / "report.json").read_text())


def test_the_drifted_run_fails_naming_where_each_drift_first_appears_and_checks_identical_saves_once(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    result, report = _suite(pytester, "llama3-run", tmp_path)
    assert result.ret == 1
    across = report["checkpoints"]
    timelines = {finding["code"]: (finding["first"], finding["reverted_at"]) for finding in across["findings"]}
    for code, first, reverted_at in RUNS["llama3-run"].expect:
        assert timelines[code] == (first, reverted_at), code
    assert across["same_tokenizer_as"] == {"checkpoint-1000": "checkpoint-500", "checkpoint-2000": "checkpoint-500",
                                           "checkpoint-3000": "checkpoint-2500", "llama3-run": "checkpoint-2500"}
    assert across["without_tokenizer"] == [str(tmp_path / "llama3-run" / "checkpoint-3500")]
    output = result.stdout.str()
    assert "FAILED" in output and "test_token_ids_match_base[checkpoint-1500]" in output
    assert "test_post_processor_matches_base[checkpoint-2500]" in output
    # identical saves are not checked again: no tokenizer test runs for them
    assert "test_token_ids_match_base[checkpoint-1000]" not in output
    assert across["matrix"]["checkpoint-500"]["static"] == "ok" and across["matrix"]["checkpoint-1500"]["static"] == "error"
    assert "same tokenizer, checked once: checkpoint-500, checkpoint-1000, checkpoint-2000" in output


def test_a_run_where_every_save_is_benign_passes(pytester: pytest.Pytester, tmp_path: Path) -> None:
    result, report = _suite(pytester, "llama3-run-benign", tmp_path)
    assert result.ret == 0, result.stdout.str()[-3000:]
    assert report["failing"] == 0 and not report["checkpoints"]["findings"]
    assert set(report["checkpoints"]["same_tokenizer_as"]) == {"checkpoint-1000", "checkpoint-2000", "llama3-run-benign"}
