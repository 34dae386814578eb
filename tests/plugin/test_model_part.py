"""The model part of the plugin the way users run it (pytester): weights found next to the tuned
tokenizer or named by flag or ini key, the report lines of the issue's three cases, the gpu tests
collected and skipped with their reason, bad input, xdist, and the fixture for other projects."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.checks.model import builders
from tests.checks.model.fixtures import Checkpoints
from tests.files import tree_digest
from tokcheck.plugin import (
    BASE_MODEL_OPTION,
    BASE_OPTION,
    NO_SUITE_OPTION,
    TUNED_MODEL_INI,
    TUNED_MODEL_OPTION,
    TUNED_OPTION,
)

MODEL_TESTS = [
    "test_model_config_agrees_with_the_weights",
    "test_every_token_id_has_an_embedding_and_an_output_row",
    "test_rows_of_new_and_template_tokens_are_initialised",
]
GPU_TESTS = [
    "test_transcript_with_every_special_and_added_token_gives_finite_logits",
    "test_loaded_embedding_and_output_layers_cover_the_tuned_tokenizer",
    "test_tied_word_embeddings_are_really_tied",
]
GPU_SKIP = "torch is not installed" if importlib.util.find_spec("torch") is None else "CUDA is not available*"


def report_of(result: pytest.RunResult) -> str:
    output = result.stdout.str()
    report = output[output.index("tokcheck drift report") :]
    return report.split("short test summary info")[0]


def test_eom_without_rows_fails_and_the_report_names_id_and_token(
    pytester: pytest.Pytester, checkpoints: Checkpoints
) -> None:
    before = tree_digest(checkpoints.eom_unresized)
    result = pytester.runpytest(BASE_OPTION, str(checkpoints.base), TUNED_OPTION, str(checkpoints.eom_unresized),
                                "-m", "model or gpu", "-v", "-rs")
    assert result.ret == 1
    result.stdout.fnmatch_lines([
        f"*test_model.py::{MODEL_TESTS[0]} PASSED*",
        f"*test_model.py::{MODEL_TESTS[1]} FAILED*",
        f"*test_model.py::{MODEL_TESTS[2]} PASSED*",
    ])
    report = report_of(result)
    assert (
        "  [model_rows] the tuned tokenizer produces ids up to 128256 but input embedding model.embed_tokens.weight "
        "has 128256 rows (ids 0-128255): id 128256 '<|eom_id|>' has no input embedding row"
    ) in report.splitlines()
    assert "id 128256 '<|eom_id|>' has no output layer row" in report
    assert f"tuned-model {checkpoints.eom_unresized} (model.safetensors)" in result.stdout.str()
    for name in GPU_TESTS:
        result.stdout.fnmatch_lines([f"SKIPPED [[]1[]] *test_gpu.py:*: {GPU_SKIP}"])
        assert f"test_gpu.py::{name} SKIPPED" in result.stdout.str()
    assert tree_digest(checkpoints.eom_unresized) == before  # read-only on the model directory


def test_zero_row_is_flagged_and_the_initialised_row_passes(pytester: pytest.Pytester, checkpoints: Checkpoints) -> None:
    zero = pytester.runpytest(BASE_OPTION, str(checkpoints.base), TUNED_OPTION, str(checkpoints.eom_zero_row), "-m", "model")
    # passed: the model files and rows checks, and the model directory's stop set and sampling defaults
    assert (zero.parseoutcomes()["passed"], zero.parseoutcomes()["failed"]) == (4, 1)
    assert "  [model_trained_rows] model.embed_tokens.weight row 128256 '<|eom_id|>' (new token) is all zeros: never initialised; trained rows have norms " in report_of(zero)
    mean = pytester.runpytest(BASE_OPTION, str(checkpoints.base), TUNED_OPTION, str(checkpoints.eom_mean_row), "-m", "model")
    assert mean.parseoutcomes()["passed"] == 5 and "failed" not in mean.parseoutcomes()
    assert mean.ret == 0


def test_flag_and_ini_key_name_the_model(pytester: pytest.Pytester, checkpoints: Checkpoints) -> None:
    flagged = pytester.runpytest(BASE_OPTION, str(checkpoints.base), TUNED_OPTION, str(checkpoints.eom),
                                 TUNED_MODEL_OPTION, str(checkpoints.eom_zero_row), "-m", "model")
    assert (flagged.parseoutcomes()["passed"], flagged.parseoutcomes()["failed"]) == (4, 1)
    pytester.makeini(f"[pytest]\n{TUNED_MODEL_INI} = {checkpoints.eom_zero_row.name}\n")
    (pytester.path / checkpoints.eom_zero_row.name).symlink_to(checkpoints.eom_zero_row)
    pinned = pytester.runpytest(BASE_OPTION, str(checkpoints.base), TUNED_OPTION, str(checkpoints.eom), "-m", "model")
    assert pinned.parseoutcomes()["failed"] == 1
    assert "row 128256 '<|eom_id|>' (new token) is all zeros" in report_of(pinned)


def test_without_a_model_the_model_suite_is_not_collected(pytester: pytest.Pytester, toy_dir: Path) -> None:
    result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(toy_dir), "--collect-only", "-q")
    assert result.ret == 0
    assert "test_static.py::test_token_ids_match_base" in result.stdout.str()
    assert "test_model.py" not in result.stdout.str() and "test_gpu.py" not in result.stdout.str()
    assert "tuned-model" not in result.stdout.str()


@pytest.mark.torch  # the reason differs with torch installed
def test_gpu_file_named_without_a_model_skips_with_a_reason(pytester: pytest.Pytester, toy_dir: Path) -> None:
    from tokcheck.plugin import SUITE_DIR

    result = pytester.runpytest(str(SUITE_DIR / "test_gpu.py"), BASE_OPTION, str(toy_dir), TUNED_OPTION, str(toy_dir), "-m", "gpu",
                                "-rs")
    assert result.parseoutcomes()["skipped"] == 3
    # Without torch that is the first reason; with torch but no CUDA the second; with both, no model.
    reason = GPU_SKIP if importlib.util.find_spec("torch") is None else "*"
    result.stdout.fnmatch_lines([f"SKIPPED [[]1[]] *test_gpu.py:*: {reason}"] * 3)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([BASE_MODEL_OPTION, "{base}"], f"ERROR: {BASE_MODEL_OPTION} needs a tuned model too: pass {TUNED_MODEL_OPTION} PATH*"),
        ([TUNED_MODEL_OPTION, "/no/such/dir"], "ERROR: /no/such/dir: no such model directory"),
        ([TUNED_MODEL_OPTION, "{llama3}"], "ERROR: *: no model weights in this directory (expected config.json with*"),
    ],
)
def test_bad_model_input_is_one_usage_line(
    pytester: pytest.Pytester, checkpoints: Checkpoints, toy_dir: Path, args: list[str], message: str
) -> None:
    filled = [arg.format(base=checkpoints.base, llama3=checkpoints.llama3) for arg in args]
    result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(toy_dir), *filled)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert "Traceback" not in result.stderr.str()


def test_findings_from_xdist_workers_reach_the_report(pytester: pytest.Pytester, checkpoints: Checkpoints) -> None:
    result = pytester.runpytest(BASE_OPTION, str(checkpoints.base), TUNED_OPTION, str(checkpoints.eom_unresized),
                                "-m", "model", "-n", "2")
    assert result.parseoutcomes()["failed"] == 1
    assert "id 128256 '<|eom_id|>' has no input embedding row" in report_of(result)


def test_bin_checkpoint_without_torch_skips_with_one_line(
    pytester: pytest.Pytester, checkpoints: Checkpoints, tmp_path: Path
) -> None:
    if importlib.util.find_spec("torch") is not None:
        pytest.skip("torch is installed: the .bin is read (tests/model/test_torch.py)")
    directory = builders.copy_tokenizer(checkpoints.llama3, tmp_path / "bin")
    builders.write_config(directory, builders.LLAMA3_VOCAB)
    (directory / "pytorch_model.bin").write_bytes(b"PK\x03\x04")
    result = pytester.runpytest(BASE_OPTION, str(checkpoints.llama3), TUNED_OPTION, str(directory), "-m", "model", "-rs")
    assert result.ret == 0
    line = f"{directory}: pytorch_model.bin cannot be read without torch; install torch, or save the model with safe_serialization=True (safetensors), to check its embedding rows"
    result.stdout.fnmatch_lines([f"SKIPPED [[]3[]] *: {line}"])
    assert report_of(result).count(line) == 1


def test_projects_get_the_model_files_from_a_fixture(
    pytester: pytest.Pytester, checkpoints: Checkpoints, toy_dir: Path
) -> None:
    pytester.makepyfile(test_project="""
        def test_lm_head_grew(model_files):
            assert model_files.tuned.tensors["lm_head.weight"].shape == (128257, 16)
            assert model_files.base.tensors["lm_head.weight"].shape == (128256, 16)
    """)
    result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(toy_dir), TUNED_MODEL_OPTION,
                                str(checkpoints.eom_mean_row), BASE_MODEL_OPTION, str(checkpoints.base),
                                NO_SUITE_OPTION, "test_project.py")
    result.assert_outcomes(passed=1)
    alone = pytester.runpytest(TUNED_MODEL_OPTION, str(checkpoints.eom_mean_row), "test_project.py")
    alone.assert_outcomes(failed=1)  # no base model: model_files.base is None
    none = pytester.runpytest("test_project.py", "-rs")
    none.assert_outcomes(skipped=1)
    none.stdout.fnmatch_lines([f"*no tuned model configured: pass {TUNED_MODEL_OPTION} PATH*"])


def test_help_lists_the_model_options(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines([f"*{TUNED_MODEL_OPTION}=PATH*", f"*{BASE_MODEL_OPTION}=PATH*"])
    markers = pytester.runpytest("--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.model: *", "@pytest.mark.gpu: *"])
