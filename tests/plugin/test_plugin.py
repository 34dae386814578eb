"""The plugin the way users run it: pytester runs from empty directories, flags and ini keys,
xdist, bad input, the reports, and a consumer project using the fixtures."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from tests.files import tree_digest
from tests.toys import edit_json
from tokcheck.plugin import (
    ALLOW_DOWNLOAD_OPTION,
    BASE_INI,
    BASE_OPTION,
    NO_SUITE_OPTION,
    REPORT_OPTION,
    STRICT_OPTION,
    TRUST_REMOTE_CODE_OPTION,
    TUNED_ALIAS,
    TUNED_INI,
    TUNED_OPTION,
)

STATIC_TESTS = 18  # tests in tokcheck/suite/test_static.py
# Runs that count outcomes select the static checks: other parts of the suite (behaviour, model)
# have tests of their own, and these tests are about the plugin, not those checks.
STATIC = ("-m", "static")


@pytest.fixture
def eom_tuned(toy_dir: Path, tmp_path: Path) -> Path:
    """The LLaMA-Factory drift on the toy: <|eom_id|> appended as a new special token."""
    return make_eom_tuned(toy_dir, tmp_path / "eom")


def make_eom_tuned(toy_dir: Path, tuned: Path) -> Path:
    shutil.copytree(toy_dir, tuned)

    def append_eom(tokenizer_json: dict) -> None:
        next_id = max(entry["id"] for entry in tokenizer_json["added_tokens"]) + 1
        tokenizer_json["added_tokens"].append(
            {"id": next_id, "content": "<|eom_id|>", "special": True, "normalized": False,
             "lstrip": False, "rstrip": False, "single_word": False}
        )

    edit_json(tuned / "tokenizer.json", append_eom)
    return tuned


@pytest.fixture
def empty_dir(pytester: pytest.Pytester) -> Path:
    """pytester's directory, empty: no ini file, no tests."""
    return pytester.path


class TestBuiltInSuite:
    def test_identical_pair_passes_from_an_empty_directory(self, pytester: pytest.Pytester, toy_dir: Path) -> None:
        result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(toy_dir), "-v", *STATIC)
        result.assert_outcomes(passed=STATIC_TESTS)
        assert result.ret == 0
        result.stdout.fnmatch_lines(["*test_token_ids_match_base PASSED*", "*tokcheck drift report*", "no failing drift*"])

    def test_eom_drift_fails_and_the_report_names_token_id_and_fix(
        self, pytester: pytest.Pytester, toy_dir: Path, eom_tuned: Path
    ) -> None:
        result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_ALIAS, str(eom_tuned), *STATIC)
        assert result.ret == 1
        # the vocabulary check, and the model-config check (tuned's config.json vocab_size is too small)
        result.assert_outcomes(passed=STATIC_TESTS - 2, failed=2)
        output = result.stdout.str()
        report = output[output.index("tokcheck drift report") :]
        length = json.loads((toy_dir / "config.json").read_text())["vocab_size"]
        assert f"tuned adds special token '<|eom_id|>' at id {length}; base has ids 0-{length - 1}" in report
        assert "fix: restore the base tokenizer files" in report
        assert f"base: {toy_dir}" in output and f"tuned: {eom_tuned}" in output
        assert "transformers " in report and "tokenizers " in report

    def test_header_names_both_sides_and_versions(self, pytester: pytest.Pytester, toy_dir: Path) -> None:
        result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(toy_dir / "tokenizer.json"), *STATIC)
        result.stdout.fnmatch_lines([f"tokcheck: base: {toy_dir}", f"tokcheck: tuned: {toy_dir}/tokenizer.json",
                                     "tokcheck: transformers *, tokenizers *"])

    def test_markers_select_by_kind(self, pytester: pytest.Pytester, toy_dir: Path) -> None:
        only_static = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(toy_dir), "-m", "static")
        only_static.assert_outcomes(passed=STATIC_TESTS)
        others = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(toy_dir), "-m", "not static",
                                    "--collect-only", "-q")
        assert f"{STATIC_TESTS} deselected" in others.stdout.str()
        assert "test_static.py" not in others.stdout.str()

    def test_strict_fails_on_warnings(self, pytester: pytest.Pytester, toy_dir: Path, tmp_path: Path) -> None:
        tuned = tmp_path / "padded"
        shutil.copytree(toy_dir, tuned)
        edit_json(tuned / "tokenizer_config.json", lambda c: c.__setitem__("model_max_length", 2048))
        args = [BASE_OPTION, str(toy_dir), TUNED_OPTION, str(tuned)]
        assert pytester.runpytest(*args, *STATIC).ret == 0
        strict = pytester.runpytest(*args, STRICT_OPTION, *STATIC)
        assert strict.ret == 1
        strict.stdout.fnmatch_lines(["*?warning? model_max_length is*"])

    def test_project_tests_are_not_collected_unless_named(self, pytester: pytest.Pytester, toy_dir: Path) -> None:
        pytester.makepyfile(test_project="def test_own():\n    pass\n")
        pytester.makeini("[pytest]\ntestpaths = .\n")
        pair = [BASE_OPTION, str(toy_dir), TUNED_OPTION, str(toy_dir), "--collect-only", "-q"]
        alone = pytester.runpytest(*pair).stdout.str()
        assert "test_static.py::test_token_ids_match_base" in alone and "test_project.py" not in alone
        named = pytester.runpytest(*pair, "test_project.py").stdout.str()
        assert "test_static.py::test_token_ids_match_base" in named and "test_project.py::test_own" in named

    def test_suite_is_collected_whatever_python_files_says(self, pytester: pytest.Pytester, toy_dir: Path) -> None:
        pytester.makeini("[pytest]\npython_files = check_*.py\npython_functions = check_*\n")
        result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(toy_dir), *STATIC)
        result.assert_outcomes(passed=STATIC_TESTS)

    def test_no_suite_option_keeps_only_the_fixtures(self, pytester: pytest.Pytester, toy_dir: Path) -> None:
        pytester.makepyfile(test_project="def test_uses(tuned_tokenizer):\n    assert len(tuned_tokenizer) > 0\n")
        result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(toy_dir), NO_SUITE_OPTION, "test_project.py")
        result.assert_outcomes(passed=1)

    def test_half_a_pair_on_the_command_line_is_a_usage_error(self, pytester: pytest.Pytester, toy_dir: Path) -> None:
        result = pytester.runpytest(BASE_OPTION, str(toy_dir))
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines([f"ERROR: {BASE_OPTION} needs {TUNED_OPTION} too*"])


class TestOptionsAndIni:
    def test_help_lists_every_option_and_ini_key(self, pytester: pytest.Pytester) -> None:
        result = pytester.runpytest("--help")
        result.stdout.fnmatch_lines(["tokcheck: tokenizer drift between a base model and a tuned checkpoint:"])
        help_text = result.stdout.str()
        for option in (BASE_OPTION, TUNED_OPTION, TUNED_ALIAS, REPORT_OPTION, STRICT_OPTION,
                       TRUST_REMOTE_CODE_OPTION, ALLOW_DOWNLOAD_OPTION, NO_SUITE_OPTION):
            assert option in help_text, option
        for ini in (BASE_INI, TUNED_INI):
            assert f"  {ini} " in help_text, ini
        # Python 3.13's argparse names the metavar once for aliases ("--tuned, --tuned-tokenizer=SPEC").
        result.stdout.fnmatch_lines(["*--base-tokenizer=SPEC*", "*--tuned*, --tuned-tokenizer=SPEC*"])

    def test_ini_keys_pin_the_pair_relative_to_the_ini_file(
        self, pytester: pytest.Pytester, toy_dir: Path, eom_tuned: Path
    ) -> None:
        shutil.copytree(toy_dir, pytester.path / "models" / "base")
        shutil.copytree(eom_tuned, pytester.path / "models" / "tuned")
        pytester.makepyprojecttoml(
            f'[tool.pytest.ini_options]\n{BASE_INI} = "models/base"\n{TUNED_INI} = "models/tuned"\n'
        )
        sub = pytester.mkdir("sub")
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(sub)
            from_ini = pytester.runpytest(*STATIC)
        assert from_ini.ret == 1
        from_ini.stdout.fnmatch_lines(["*tuned adds special token '<|eom_id|>'*"])
        flag_wins = pytester.runpytest(TUNED_OPTION, str(toy_dir), *STATIC)
        assert flag_wins.ret == 0
        flag_wins.stdout.fnmatch_lines([f"tokcheck: tuned: {toy_dir}"])


class TestReports:
    @pytest.mark.parametrize("suffix", [".json", ".md"])
    def test_report_file_holds_the_findings(
        self, pytester: pytest.Pytester, toy_dir: Path, eom_tuned: Path, suffix: str
    ) -> None:
        report = pytester.path / f"drift{suffix}"
        pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(eom_tuned), REPORT_OPTION, report.name, *STATIC)
        text = report.read_text(encoding="utf-8")
        if suffix == ".json":
            data = json.loads(text)
            assert data["summary"]["error"] == 2 and data["failing"] == 2
            finding = data["findings"][0]
            assert finding["code"] == "vocab.added-beyond-base" and finding["tuned"]["content"] == "<|eom_id|>"
            assert data["findings"][1]["code"] == "model-config.ids-beyond-vocab-size"
            assert data["sides"]["tuned"] == str(eom_tuned) and data["versions"]["transformers"]
            assert data["outcome"] == {"passed": STATIC_TESTS - 2, "failed": 2}
        else:
            assert text.startswith("## tokcheck drift report")
            assert "| error | vocabulary | tuned adds special token '<\\|eom_id\\|>'" in text

    def test_report_is_the_same_with_and_without_xdist(
        self, pytester: pytest.Pytester, toy_dir: Path, eom_tuned: Path
    ) -> None:
        # a fixed seed: the report header names the Hypothesis seed, which is random otherwise
        args = [BASE_OPTION, str(toy_dir), TUNED_OPTION, str(eom_tuned), "--hypothesis-seed", "1", *STATIC]
        plain = pytester.runpytest_subprocess(*args, "-p", "no:xdist", REPORT_OPTION, "plain.json")
        workers = pytester.runpytest_subprocess(*args, "-n", "2", REPORT_OPTION, "workers.json")
        assert plain.ret == workers.ret == 1
        assert "2 workers" in workers.stdout.str()
        plain_report = json.loads((pytester.path / "plain.json").read_text())
        workers_report = json.loads((pytester.path / "workers.json").read_text())
        assert plain_report == workers_report
        assert plain_report["findings"]

        def report_section(text: str) -> str:
            return text[text.index("tokcheck drift report") : text.index("short test summary")]

        assert report_section(plain.stdout.str()) == report_section(workers.stdout.str())


class TestBadInput:
    def assert_usage_error(self, result: pytest.RunResult, *fragments: str) -> None:
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
        assert len(errors) == 1, result.stderr.lines
        for fragment in fragments:
            assert fragment in errors[0]
        assert "Traceback" not in result.stdout.str() + result.stderr.str()

    def test_missing_path(self, pytester: pytest.Pytester, toy_dir: Path) -> None:
        result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, "./no/such/dir")
        self.assert_usage_error(result, "./no/such/dir: no such file or directory")

    def test_missing_path_that_could_be_a_hub_id(self, pytester: pytest.Pytester, toy_dir: Path) -> None:
        result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, "saves/llama3-sft")
        self.assert_usage_error(result, "saves/llama3-sft: no such directory, and hub repo 'saves/llama3-sft'",
                                "not in the local Hugging Face cache")

    def test_directory_without_tokenizer_files(self, pytester: pytest.Pytester, toy_dir: Path, tmp_path: Path) -> None:
        (tmp_path / "weights").mkdir()
        (tmp_path / "weights" / "README.md").write_text("not a tokenizer")
        before = tree_digest(tmp_path)
        result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(tmp_path / "weights"))
        self.assert_usage_error(result, "directory has no tokenizer files")
        assert tree_digest(tmp_path) == before

    def test_corrupt_json(self, pytester: pytest.Pytester, toy_dir: Path, tmp_path: Path) -> None:
        tuned = tmp_path / "corrupt"
        shutil.copytree(toy_dir, tuned)
        (tuned / "tokenizer_config.json").write_text('{"eos_token": "<|eot_id|>",', encoding="utf-8")
        before = tree_digest(tuned)
        result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(tuned))
        self.assert_usage_error(result, "tokenizer_config.json: not valid JSON (line 1 column")
        assert tree_digest(tuned) == before

    def test_unknown_zoo_name(self, pytester: pytest.Pytester, toy_dir: Path) -> None:
        result = pytester.runpytest(BASE_OPTION, "zoo:no-such-tokenizer", TUNED_OPTION, str(toy_dir))
        self.assert_usage_error(result, "no-such-tokenizer")

    def test_uncached_hub_id_offline(self, pytester: pytest.Pytester, toy_dir: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
        result = pytester.runpytest(BASE_OPTION, "meta-llama/Meta-Llama-3-8B-Instruct", TUNED_OPTION, str(toy_dir))
        self.assert_usage_error(result, "'meta-llama/Meta-Llama-3-8B-Instruct'", "HF_HUB_OFFLINE is set", "hf download")
        assert not (tmp_path / "hub").exists()

    def test_remote_code_needs_the_flag(self, pytester: pytest.Pytester, toy_dir: Path, tmp_path: Path) -> None:
        tuned = tmp_path / "custom"
        shutil.copytree(toy_dir, tuned)
        edit_json(tuned / "tokenizer_config.json",
                  lambda c: c.__setitem__("auto_map", {"AutoTokenizer": ["tokenization_x.XTokenizer", None]}))
        before = tree_digest(tuned)
        result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(tuned))
        self.assert_usage_error(result, "needs remote code (tokenization_x.XTokenizer", TRUST_REMOTE_CODE_OPTION)
        allowed = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(tuned), TRUST_REMOTE_CODE_OPTION, "-m", "static")
        allowed.stdout.fnmatch_lines(["*auto_map (custom tokenizer code) is null in base*"])
        assert tree_digest(tuned) == before

    def test_nothing_is_written_into_a_tuned_directory_given_alone(
        self, pytester: pytest.Pytester, toy_dir: Path, eom_tuned: Path
    ) -> None:
        """With one path argument pytest would take the tuned directory as rootdir and write its
        .pytest_cache there (the run fails, so last-failed data is written)."""
        before = tree_digest(eom_tuned)
        result = pytester.runpytest_subprocess(BASE_OPTION, f"{toy_dir}/tokenizer.json", TUNED_OPTION, str(eom_tuned), *STATIC)
        assert result.ret == 1
        assert tree_digest(eom_tuned) == before


class TestConsumerProject:
    CONSUMER_TESTS = '''
        from tokcheck.assertions import assert_same_ids, assert_single_token

        def test_base_starts_with_bos(base_tokenizer):
            assert base_tokenizer("Hello")["input_ids"][0] == base_tokenizer.bos_token_id

        def test_eot_stays_one_token(tuned_tokenizer):
            assert_single_token(tuned_tokenizer, "<|eot_id|>")

        def test_prompt_ids_unchanged(tokenizer_pair):
            assert_same_ids(tokenizer_pair, "Hello world <|eom_id|>")
    '''

    def test_fixtures_and_helpers_from_a_project_with_ini_keys(
        self, pytester: pytest.Pytester, toy_dir: Path, eom_tuned: Path
    ) -> None:
        pytester.makepyprojecttoml(
            f'[tool.pytest.ini_options]\n{BASE_INI} = "{toy_dir}"\n{TUNED_INI} = "{eom_tuned}"\n'
        )
        pytester.makepyfile(test_consumer=self.CONSUMER_TESTS)
        result = pytester.runpytest("test_consumer.py", NO_SUITE_OPTION)
        result.assert_outcomes(passed=2, failed=1)
        result.stdout.fnmatch_lines([
            "*base and tuned give different ids for text 'Hello world <|eom_id|>'*",
            "*first difference at position 4: base '<', tuned '<|eom_id|>'*",
        ])

    def test_fixtures_skip_with_a_reason_when_nothing_is_configured(self, pytester: pytest.Pytester) -> None:
        pytester.makepyfile(test_consumer=self.CONSUMER_TESTS)
        result = pytester.runpytest("-rs")
        result.assert_outcomes(skipped=3)
        result.stdout.fnmatch_lines(["*no base tokenizer configured: pass --base-tokenizer SPEC or set tokcheck_base_tokenizer*"])

    def test_fixtures_are_documented_with_examples(self, pytester: pytest.Pytester) -> None:
        result = pytester.runpytest("--fixtures")
        result.stdout.fnmatch_lines([
            "base_tokenizer [[]session scope[]]*", "*def test_prompt_starts_with_bos(base_tokenizer):*",
            "tuned_tokenizer [[]session scope[]]*", "*assert_single_token(tuned_tokenizer, *",
            "tokenizer_pair [[]session scope[]]*", "*assert_same_ids(tokenizer_pair*",
        ])


@pytest.mark.torch  # and where torch is installed, it must not be imported either
def test_loading_the_plugin_imports_neither_transformers_nor_torch(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_imports='''
        import sys

        def test_heavy_modules_absent():
            assert "tokcheck.plugin" in sys.modules
            assert "transformers" not in sys.modules
            assert "torch" not in sys.modules
    ''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths in the expectations")
def test_relative_flag_paths_are_relative_to_the_invocation_directory(
    pytester: pytest.Pytester, toy_dir: Path
) -> None:
    shutil.copytree(toy_dir, pytester.path / "base")
    result = pytester.runpytest(BASE_OPTION, "base", TUNED_OPTION, "./base", *STATIC)
    result.assert_outcomes(passed=STATIC_TESTS)


def test_accept_from_flag_and_ini(pytester: pytest.Pytester, toy_dir: Path, eom_tuned: Path) -> None:
    from tokcheck.plugin import ACCEPT_INI, ACCEPT_OPTION

    args = [BASE_OPTION, str(toy_dir), TUNED_OPTION, str(eom_tuned), *STATIC]
    pytester.makeini(f"[pytest]\n{ACCEPT_INI} =\n    model-config.ids-beyond-vocab-size\n")
    partly = pytester.runpytest(*args)
    partly.assert_outcomes(passed=STATIC_TESTS - 1, failed=1)
    accepted = pytester.runpytest(*args, ACCEPT_OPTION, "vocab.added-beyond-base:'<|eom_id|>'")
    accepted.assert_outcomes(passed=STATIC_TESTS)
    accepted.stdout.fnmatch_lines(["*(accepted, was error) tuned adds special token '<|eom_id|>'*"])


def test_pytest_cache_stays_out_of_the_directories_of_far_apart_specs(
    pytester: pytest.Pytester, toy_dir: Path, eom_tuned: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Two spec paths with no common ancestor but / would make pytest write /.pytest_cache."""
    far = Path("/var/tmp") if Path("/var/tmp").is_dir() else tmp_path_factory.mktemp("far")
    base = Path(shutil.copytree(toy_dir, far / f"tokcheck-far-{pytester.path.name}"))
    try:
        before = {path: tree_digest(path) for path in (base, eom_tuned)}
        result = pytester.runpytest_subprocess(BASE_OPTION, str(base), TUNED_OPTION, str(eom_tuned), *STATIC)
        assert result.ret == 1
        assert {path: tree_digest(path) for path in (base, eom_tuned)} == before
        assert (pytester.path / ".pytest_cache").is_dir()  # where pytest puts it when run without paths
    finally:
        shutil.rmtree(base)
