"""The zoo's training run directories through the whole built-in suite: the drifted run fails,
naming the checkpoint where each drift first appears (and the one that reverts it), checks each
group of identical checkpoints once, and the run where every save is benign passes. Model checks
run per checkpoint from full weights or from an adapter: its own embeddings (modules_to_save) or
those of --base-model."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tokcheck.plugin import BASE_MODEL_OPTION, BASE_OPTION, QUICK_OPTION, REPORT_OPTION, TUNED_OPTION
from tokcheck.zoo.training_runs import RUNS, _write_weights, build_base_model, build_run


def _suite(pytester: pytest.Pytester, name: str, tmp_path: Path) -> tuple[pytest.RunResult, dict]:
    run_dir = build_run(name, tmp_path / name)
    base_model = build_base_model("llama3-model", tmp_path / "base-model")
    result = pytester.runpytest_subprocess(BASE_OPTION, f"zoo:{RUNS[name].base}", TUNED_OPTION, str(run_dir), QUICK_OPTION,
                                           BASE_MODEL_OPTION, str(base_model), "--hypothesis-seed", "3", "-p", "no:randomly",
                                           "-rA", REPORT_OPTION, "report.json")
    return result, json.loads((pytester.path / "report.json").read_text())


# Version envs leave the runs to tf5: what a run adds (expansion, grouping, the first-and-reverted
# timeline, the matrix, the adapters' rows) does not depend on the transformers version, and each of
# its saves is a mutant of the self-test: those saved through transformers (llama3-resaved, llama3-eom;
# qwen2-json-reserialized in the benign run) are version-sensitive and so run in the version envs too,
# and llama3-no-bos is a tokenizer.json edit that the static checks read alike on every version.
@pytest.mark.version_independent
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
    # the model tests: the adapter carrying its own embeddings (1500), the adapter over --base-model
    # (3000) and the final save's full weights; none for saves without weights
    assert {c: m["model"] for c, m in across["matrix"].items()} == {
        "checkpoint-500": "-", "checkpoint-1000": "-", "checkpoint-1500": "error", "checkpoint-2000": "-",
        "checkpoint-2500": "-", "checkpoint-3000": "ok", "llama3-run": "ok"}
    assert re.search(r"FAILED \S*test_every_token_id_has_an_embedding_and_an_output_row\[checkpoint-1500\]", output)


# Slow tier (CI's 20-minute budget): its saves are the kinds the self-test's benign variants pass in the
# default tier (a transformers re-save, re-serialized JSON, an identical copy), and the drifted run
# above holds its own re-saves "ok" in the matrix, checked once, with an adapter over --base-model "ok".
@pytest.mark.slow
@pytest.mark.version_independent
def test_a_run_where_every_save_is_benign_passes(pytester: pytest.Pytester, tmp_path: Path) -> None:
    result, report = _suite(pytester, "llama3-run-benign", tmp_path)
    assert result.ret == 0, result.stdout.str()[-3000:]
    assert report["failing"] == 0 and not report["checkpoints"]["findings"]
    assert set(report["checkpoints"]["same_tokenizer_as"]) == {"checkpoint-1000", "checkpoint-2000", "llama3-run-benign"}


def _model_run(pytester: pytest.Pytester, run_dir: Path, *base_model: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(BASE_OPTION, "zoo:llama3", TUNED_OPTION, str(run_dir), "-m", "model", "-v",
                                         "-p", "no:randomly", *base_model)


@pytest.mark.version_independent  # model checks only: the rows read from safetensors, no transformers
def test_an_adapter_checkpoint_is_checked_against_the_base_model_and_one_carrying_embeddings_against_its_own(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    run_dir = build_run("llama3-run", tmp_path / "llama3-run")
    # a base model with 256 rows fewer than the Llama-3 tokenizer has ids: only the adapter that
    # applies to it (checkpoint-3000, LoRA on q_proj) lacks rows through it
    short_base = tmp_path / "short-base"
    short_base.mkdir()
    config = json.loads((run_dir / "checkpoint-2500" / "config.json").read_text())
    (short_base / "config.json").write_text(json.dumps({**config, "vocab_size": 128000}))
    _write_weights(short_base)
    short = _model_run(pytester, run_dir, BASE_MODEL_OPTION, str(short_base))
    assert short.ret == 1
    short.stdout.fnmatch_lines([
        "*test_every_token_id_has_an_embedding_and_an_output_row[[]checkpoint-1500[]] FAILED*",
        "*test_every_token_id_has_an_embedding_and_an_output_row[[]checkpoint-3000[]] FAILED*",
        "*test_every_token_id_has_an_embedding_and_an_output_row[[]llama3-run[]] PASSED*",
    ])
    output = short.stdout.str()
    assert "id 128256 '<|eom_id|>' has no input embedding row" in output  # checkpoint-1500's own 128256 rows
    assert "has 128000 rows (ids 0-127999): 256 ids" in output  # checkpoint-3000 through the short base
    # without --base-model the adapter over it cannot be checked, and says why; the others still are
    alone = _model_run(pytester, run_dir)
    alone.stdout.fnmatch_lines([
        "*test_every_token_id_has_an_embedding_and_an_output_row[[]checkpoint-1500[]] FAILED*",
        "*test_every_token_id_has_an_embedding_and_an_output_row[[]checkpoint-3000[]] SKIPPED*",
        "*test_every_token_id_has_an_embedding_and_an_output_row[[]llama3-run[]] PASSED*",
    ])
    assert "the adapter does not carry the embeddings and its base model" in alone.stdout.str()


def test_a_base_model_for_a_run_without_weights_is_one_usage_line(pytester: pytest.Pytester, tmp_path: Path) -> None:
    run_dir = build_run("llama3-run", tmp_path / "llama3-run")
    base_model = build_base_model("llama3-model", tmp_path / "base-model")
    result = pytester.runpytest_subprocess(BASE_OPTION, "zoo:llama3", TUNED_OPTION, str(run_dir / "checkpoint-500"),
                                           TUNED_OPTION, str(run_dir / "checkpoint-2500"), BASE_MODEL_OPTION, str(base_model))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --base-model is for the checkpoints' models, and none of the 2 checkpoints *"])
    assert "Traceback" not in result.stderr.str()
