"""A run over several tuned checkpoints: repeated --tuned, a training output directory and the
ini key's lines; one test per checkpoint named by its id; identical tokenizers checked once; the
report's checkpoint part, the same with -n 0, -n 2 and --tx 2*popen."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.plugin.test_plugin import STATIC, STATIC_TESTS, make_eom_tuned
from tokcheck.cli import main
from tokcheck.plugin import BASE_OPTION, REPORT_OPTION, TUNED_INI, TUNED_OPTION
from tokcheck.report.run_report import read_report
from tokcheck.report.terminal import render_terminal


@pytest.fixture
def eom_tuned(toy_dir: Path, tmp_path: Path) -> Path:
    return make_eom_tuned(toy_dir, tmp_path / "eom")


@pytest.fixture
def run_dir(toy_dir: Path, eom_tuned: Path, tmp_path: Path) -> Path:
    """checkpoint-500 and -1000 identical to the base, -1500 with <|eom_id|>, -2000 the base again."""
    run = tmp_path / "sft"
    for step, source in ((500, toy_dir), (1000, toy_dir), (1500, eom_tuned), (2000, toy_dir)):
        shutil.copytree(source, run / f"checkpoint-{step}")
    return run


def test_each_checked_checkpoint_gets_its_own_tests_named_by_its_id(
    pytester: pytest.Pytester, toy_dir: Path, run_dir: Path
) -> None:
    result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(run_dir), "-v", *STATIC,
                                REPORT_OPTION, "report.json")
    assert result.ret == 1
    # checkpoint-1000 and -2000 have the tokenizer of checkpoint-500: checked once
    result.assert_outcomes(passed=2 * STATIC_TESTS - 2, failed=2)
    result.stdout.fnmatch_lines([
        "tokcheck: checkpoint-1000: * (same tokenizer as checkpoint-500)",
        "*test_token_ids_match_base[[]checkpoint-500[]] PASSED*",
        "*test_token_ids_match_base[[]checkpoint-1500[]] FAILED*",
    ])
    assert "[checkpoint-1000]" not in result.stdout.str()
    output = result.stdout.str()
    report = output[output.index("tokcheck drift report"):]
    assert "[error] vocab.added-beyond-base: first at checkpoint-1500; gone again at checkpoint-2000 (reverted)" in report
    assert "same tokenizer, checked once: checkpoint-500, checkpoint-1000, checkpoint-2000" in report
    data = json.loads((pytester.path / "report.json").read_text())
    assert data["checkpoints"]["matrix"]["checkpoint-1500"] == {"static": "error"}
    assert data["checkpoints"]["same_tokenizer_as"] == {"checkpoint-1000": "checkpoint-500", "checkpoint-2000": "checkpoint-500"}


def test_the_saved_json_of_a_run_renders_every_format_as_the_run_wrote_it(
    pytester: pytest.Pytester, toy_dir: Path, run_dir: Path
) -> None:
    """The CI recipe of docs/reports.md: --tokcheck-report once per format, then `tokcheck report` from the JSON."""
    result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(run_dir), *STATIC,
                                *(part for name in ("r.json", "r.html", "r.md") for part in (REPORT_OPTION, name)))
    assert result.ret == 1
    assert main(["report", str(pytester.path / "r.json"), "-o", str(pytester.path / "again.html"),
                 "-o", str(pytester.path / "again.md"), "-o", str(pytester.path / "again.json")]) == 0
    for suffix in ("html", "md", "json"):
        assert (pytester.path / f"again.{suffix}").read_text() == (pytester.path / f"r.{suffix}").read_text(), suffix
    assert 'data-checkpoint="checkpoint-1500" data-kind="static" data-state="error"' in (pytester.path / "r.html").read_text()
    output = result.stdout.str()
    printed = output[output.index("tokcheck drift report"):].splitlines()[1:]
    saved = render_terminal(read_report(pytester.path / "r.json", "r.json")).splitlines()
    assert printed[:len(saved)] == saved


def test_a_projects_own_check_fills_the_project_column_whatever_its_file_is_named(
    pytester: pytest.Pytester, toy_dir: Path, run_dir: Path
) -> None:
    """The kind comes from the check registry, not from the file name: a project's test_static.py is not the suite's."""
    pytester.makepyfile(test_static="""
        import pytest
        from tokcheck import Finding, Severity

        @pytest.mark.static
        def test_mine(tokcheck_checkpoint, tuned_tokenizer, tokcheck_verdict):
            found = [Finding("mine", "mine.eom", Severity.WARNING, "eom")] if "<|eom_id|>" in tuned_tokenizer.get_vocab() else []
            tokcheck_verdict.conclude(found)
    """)
    result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(run_dir), "test_static.py", *STATIC,
                                REPORT_OPTION, "report.json")
    assert result.ret == 1
    matrix = json.loads((pytester.path / "report.json").read_text())["checkpoints"]["matrix"]
    assert matrix["checkpoint-1500"] == {"static": "error", "project": "warning"}
    assert matrix["checkpoint-500"] == {"static": "ok", "project": "ok"}


def test_k_selects_one_checkpoint_and_repeated_tuned_flags_keep_their_order(
    pytester: pytest.Pytester, toy_dir: Path, eom_tuned: Path
) -> None:
    result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(eom_tuned), TUNED_OPTION, str(toy_dir),
                                *STATIC, "-k", "eom", "-v")
    assert result.ret == 1
    result.assert_outcomes(passed=STATIC_TESTS - 2, failed=2)
    result.stdout.fnmatch_lines(["*test_token_ids_match_base[[]eom[]] FAILED*"])


def test_the_ini_key_takes_one_checkpoint_per_line(pytester: pytest.Pytester, toy_dir: Path, eom_tuned: Path) -> None:
    pytester.makeini(f"[pytest]\ntokcheck_base_tokenizer = {toy_dir}\n{TUNED_INI} =\n    {toy_dir}\n    {eom_tuned}\n")
    result = pytester.runpytest(*STATIC, "-v")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*test_token_ids_match_base[[]base[]] PASSED*", "*test_token_ids_match_base[[]eom[]] FAILED*"])


def test_the_report_is_the_same_with_no_workers_two_workers_and_two_popen_hosts(
    pytester: pytest.Pytester, toy_dir: Path, run_dir: Path
) -> None:
    args = [BASE_OPTION, str(toy_dir), TUNED_OPTION, str(run_dir), "--hypothesis-seed", "1", *STATIC]
    runs = {
        "plain": pytester.runpytest_subprocess(*args, "-p", "no:xdist", REPORT_OPTION, "plain.json"),
        "workers": pytester.runpytest_subprocess(*args, "-n", "2", REPORT_OPTION, "workers.json"),
        "hosts": pytester.runpytest_subprocess(*args, "--tx", "2*popen", "--dist", "loadgroup", REPORT_OPTION, "hosts.json"),
    }
    assert [result.ret for result in runs.values()] == [1, 1, 1]
    reports = [json.loads((pytester.path / f"{name}.json").read_text()) for name in runs]
    assert reports[0] == reports[1] == reports[2] and reports[0]["checkpoints"]["findings"]

    def report_section(text: str) -> str:
        return text[text.index("tokcheck drift report") : text.index("short test summary")]

    sections = [report_section(result.stdout.str()) for result in runs.values()]
    assert sections[0] == sections[1] == sections[2]


@pytest.mark.parametrize(("extra", "message"), [
    (("--tuned", "nowhere/checkpoint-*"), "ERROR: nowhere/checkpoint-*: matches no file or directory"),
    (("--tokcheck-golden", "golden"), "ERROR: --tokcheck-golden records one tokenizer: give --tuned once"),
    (("--tuned-model", "."), "ERROR: --tuned-model takes one tuned tokenizer, and --tuned names 4 checkpoints*"),
])
def test_bad_input_over_several_checkpoints_is_one_usage_line(
    pytester: pytest.Pytester, toy_dir: Path, run_dir: Path, extra: tuple[str, ...], message: str
) -> None:
    result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(run_dir), *extra)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert "Traceback" not in result.stderr.str()


def test_an_adapter_checkpoint_is_checked_against_the_base_model(pytester: pytest.Pytester, tmp_path: Path) -> None:
    from tokcheck import zoo
    from tokcheck.zoo.training_runs import _write_adapter

    minilm = zoo.path_for("minilm")
    run = tmp_path / "run"
    for step in (10, 20):
        folder = run / f"checkpoint-{step}"
        shutil.copytree(minilm, folder, ignore=shutil.ignore_patterns("*.safetensors", "pytorch_model.bin"))
        _write_adapter(folder, "zoo:minilm")
    with_base = pytester.runpytest(BASE_OPTION, "zoo:minilm", TUNED_OPTION, str(run), "-m", "model", "-v",
                                   "--base-model", str(minilm))
    assert with_base.ret == 0
    # every checkpoint with weights gets the model tests, also one whose tokenizer is checked once
    with_base.stdout.fnmatch_lines(["*test_model_config_agrees_with_the_weights[[]checkpoint-10[]] PASSED*",
                                    "*test_model_config_agrees_with_the_weights[[]checkpoint-20[]] PASSED*"])


def test_nothing_is_written_into_a_training_output_directory(pytester: pytest.Pytester, toy_dir: Path, run_dir: Path) -> None:
    """With the run directory as the only path argument pytest would take it as rootdir and write
    its .pytest_cache there (the run fails, so last-failed data is written)."""
    from tests.files import tree_digest

    before = tree_digest(run_dir)
    result = pytester.runpytest_subprocess(BASE_OPTION, f"{toy_dir}/tokenizer.json", TUNED_OPTION, str(run_dir), *STATIC)
    assert result.ret == 1
    assert tree_digest(run_dir) == before
