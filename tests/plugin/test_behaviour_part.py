"""The behaviour part of the plugin the way users run it (pytester, on the toy pair so that it is
quick): options, header, profiles and seeds, xdist, the report, and what it must never touch."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.toys import edit_json
from tokcheck.plugin import (
    BASE_INI,
    BASE_OPTION,
    EXAMPLES_OPTION,
    PROFILE_OPTION,
    QUICK_OPTION,
    REPORT_OPTION,
    SWEEP_SAMPLE_OPTION,
    SWEEP_SHARDS_OPTION,
    TUNED_INI,
    TUNED_OPTION,
)

# tokcheck/suite/test_behaviour.py has 10 tests; test_sweeps.py 5 sweeps in 4 shards and 6 in one test
# each. (Other parts may mark more suite tests `behaviour`.)
BEHAVIOUR_TESTS = 10 + 5 * 4 + 6


def passed_all(result: pytest.RunResult, at_least: int) -> None:
    outcomes = result.parseoutcomes()
    assert result.ret == 0 and not outcomes.get("failed") and not outcomes.get("errors"), outcomes
    assert outcomes["passed"] >= at_least, outcomes


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tokcheck's cache (where Hypothesis may write) in a temporary directory; CI unset."""
    cache = tmp_path / "tokcheck-cache"
    monkeypatch.setenv("TOKCHECK_CACHE_DIR", str(cache))
    monkeypatch.delenv("CI", raising=False)
    return cache


@pytest.fixture
def lstrip_tuned(toy_dir: Path, tmp_path: Path) -> Path:
    """The toy with lstrip set on <|eot_id|>: whitespace before it is eaten."""
    tuned = shutil.copytree(toy_dir, tmp_path / "lstrip")

    def change(tokenizer_json: dict) -> None:
        next(t for t in tokenizer_json["added_tokens"] if t["content"] == "<|eot_id|>")["lstrip"] = True

    edit_json(tuned / "tokenizer.json", change)
    return tuned


def tree(root: Path) -> list[tuple[str, bytes]]:
    return [(str(p.relative_to(root)), p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()]


def test_identical_pair_passes_every_behaviour_check_and_writes_nothing_here(
    pytester: pytest.Pytester, toy_dir: Path
) -> None:
    before = tree(toy_dir)
    result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(toy_dir), "-m", "behaviour", QUICK_OPTION,
                                "-p", "no:cacheprovider")
    passed_all(result, BEHAVIOUR_TESTS)
    result.stdout.fnmatch_lines([
        "tokcheck: hypothesis profile dev, hypothesis seed * (rerun with --hypothesis-seed *), "
        "examples per property 30, sweeps a 0.05 sample in 4 shard(s)",
        "no failing drift*",
    ])
    assert not (pytester.path / ".hypothesis").exists()
    assert sorted(p.name for p in pytester.path.iterdir()) == []
    assert tree(toy_dir) == before


@pytest.mark.parametrize(
    "args, env, header",
    [
        (["--hypothesis-seed", "12345"], {}, "hypothesis profile dev, hypothesis seed 12345 (rerun with --hypothesis-seed 12345)*"),
        ([], {"CI": "true"}, "hypothesis profile ci, hypothesis seed derandomized, examples per property 100*"),
        ([PROFILE_OPTION, "thorough", EXAMPLES_OPTION, "7"], {}, "hypothesis profile thorough, * examples per property 7*"),
        ([SWEEP_SAMPLE_OPTION, "0.25", SWEEP_SHARDS_OPTION, "3"], {}, "*sweeps a 0.25 sample in 3 shard(s)"),
    ],
)
def test_header_shows_profile_seed_and_sampling(
    pytester: pytest.Pytester, toy_dir: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str],
    header: str,
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(toy_dir), "--collect-only", *args)
    result.stdout.fnmatch_lines([f"tokcheck: {header}"])


def test_shards_option_sets_how_many_tests_each_large_sweep_becomes(pytester: pytest.Pytester, toy_dir: Path) -> None:
    result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(toy_dir), "-m", "sweep", "--collect-only", "-q",
                                SWEEP_SHARDS_OPTION, "2")
    for shard in ("shard1of2", "shard2of2"):
        assert f"test_ascii_pairs_with_whitespace_encode_like_base[{shard}]" in result.stdout.str()
    result.stdout.fnmatch_lines([f"{5 * 2 + 6}/* tests collected*"])


@pytest.mark.parametrize(
    "args, message",
    [
        ([EXAMPLES_OPTION, "0"], f"{EXAMPLES_OPTION}: expected a number at least 1, got '0'"),
        ([EXAMPLES_OPTION, "many"], f"{EXAMPLES_OPTION}: expected a number at least 1, got 'many'"),
        ([SWEEP_SAMPLE_OPTION, "2"], f"{SWEEP_SAMPLE_OPTION}: expected a number between 0 and 1, got '2'"),
        ([SWEEP_SAMPLE_OPTION, "0"], f"{SWEEP_SAMPLE_OPTION}: expected a number between 0 and 1, got '0'"),
        ([PROFILE_OPTION, "fast"], f"{PROFILE_OPTION}: unknown profile 'fast'; choose from dev, ci, thorough"),
    ],
)
def test_bad_option_values_are_one_line_usage_errors(
    pytester: pytest.Pytester, toy_dir: Path, args: list[str], message: str
) -> None:
    result = pytester.runpytest(BASE_OPTION, str(toy_dir), TUNED_OPTION, str(toy_dir), *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {message}"])
    assert "Traceback" not in result.stderr.str()


def test_drift_fails_with_the_minimal_example_in_the_report_and_the_same_findings_under_xdist(
    pytester: pytest.Pytester, toy_dir: Path, lstrip_tuned: Path
) -> None:
    # The ci profile has no example database: with one, the second run would replay what the first saved.
    args = [BASE_OPTION, str(toy_dir), TUNED_OPTION, str(lstrip_tuned), "-m", "behaviour", QUICK_OPTION,
            PROFILE_OPTION, "ci", "--hypothesis-seed", "7"]
    plain = pytester.runpytest_subprocess(*args, "-p", "no:xdist", REPORT_OPTION, "plain.json")
    workers = pytester.runpytest_subprocess(*args, "-n", "2", REPORT_OPTION, "workers.json")
    assert plain.ret == workers.ret == 1
    output = workers.stdout.str()
    assert "FAILED" in output and "test_special_tokens_with_whitespace_encode_like_base" in output
    report = output[output.index("tokcheck drift report"):]
    assert "where: text ' <|eot_id|>'" in report or "where: text '\\t<|eot_id|>'" in report
    assert "first difference at position 0" in report and "reproduce: python -c" in report
    plain_data = json.loads((pytester.path / "plain.json").read_text())
    workers_data = json.loads((pytester.path / "workers.json").read_text())
    assert plain_data["findings"] == workers_data["findings"]
    assert plain_data["settings"]["hypothesis seed"] == "7 (rerun with --hypothesis-seed 7)"
    codes = {finding["code"] for finding in plain_data["findings"]}
    assert "sweep.ids-differ" in codes


def test_a_projects_own_hypothesis_profile_is_left_alone(pytester: pytest.Pytester, toy_dir: Path) -> None:
    pytester.makeconftest(
        "from hypothesis import settings\n"
        "settings.register_profile('mine', max_examples=3, database=None)\n"
        "settings.load_profile('mine')\n"
        "def pytest_sessionfinish(session):\n"  # after tokcheck's Hypothesis runs, whatever the order
        "    open('profile-at-end.txt', 'w').write(str(settings.default.max_examples))\n"
    )
    pytester.makepyfile(test_mine=(
        "import pytest\n"
        "from hypothesis import given, settings, strategies as st\n"
        "@pytest.mark.mine\n"
        "@given(st.integers())\n"
        "def test_runs_under_my_profile(n):\n"
        "    assert settings.default.max_examples == 3\n"
    ))
    pytester.makeini(f"[pytest]\n{BASE_INI} = {toy_dir}\n{TUNED_INI} = {toy_dir}\nmarkers = mine: the project's own\n")
    result = pytester.runpytest("test_mine.py", QUICK_OPTION, "-m", "behaviour or mine", "-p", "no:cacheprovider")
    passed_all(result, 1 + BEHAVIOUR_TESTS)
    result.stdout.fnmatch_lines(["test_mine.py .*"])
    assert (pytester.path / "profile-at-end.txt").read_text() == "3"
    # The project's own Hypothesis may keep caches in .hypothesis; tokcheck's example database is elsewhere.
    assert not (pytester.path / ".hypothesis" / "examples").exists()


def test_help_lists_the_behaviour_options(pytester: pytest.Pytester) -> None:
    help_text = pytester.runpytest("--help").stdout.str()
    for option in (EXAMPLES_OPTION, PROFILE_OPTION, SWEEP_SAMPLE_OPTION, SWEEP_SHARDS_OPTION, QUICK_OPTION):
        assert option in help_text, option
