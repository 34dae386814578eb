"""The test tiers (tests/tiers.py): what each run leaves out, and that it says so."""

from __future__ import annotations

import pytest

from tests.tiers import FULL_ENV, VERSIONED_ONLY_ENV

TESTS = """
import pytest

def test_default():
    pass

@pytest.mark.slow
def test_exhaustive():
    pass

@pytest.mark.version_independent
def test_same_on_every_version():
    pass
"""


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.delenv(FULL_ENV, raising=False)
    monkeypatch.delenv(VERSIONED_ONLY_ENV, raising=False)
    pytester.makepyfile(test_tiered=TESTS)
    return pytester


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "tests.tiers", "-p", "no:randomly", "-v", *args)


def test_the_default_tier_leaves_the_slow_tests_out_and_says_how_many(suite: pytest.Pytester) -> None:
    result = run(suite)
    result.assert_outcomes(passed=2, deselected=1)
    result.stdout.fnmatch_lines(["*test_default PASSED*", "*test_same_on_every_version PASSED*",
                                 "tiers: 1 slow tests not run (TOKCHECK_FULL=1 or tox -e full runs them)"])


def test_a_version_env_leaves_the_version_independent_tests_out_too(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(VERSIONED_ONLY_ENV, "1")
    result = run(suite)
    result.assert_outcomes(passed=1, deselected=2)
    result.stdout.fnmatch_lines(["tiers: 1 slow tests not run (*); 1 version-independent tests left to tf5"])


def test_the_full_run_runs_every_tier_everywhere(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FULL_ENV, "1")
    monkeypatch.setenv(VERSIONED_ONLY_ENV, "1")
    result = run(suite)
    result.assert_outcomes(passed=3)
    result.stdout.no_fnmatch_line("tiers:*")


@pytest.mark.parametrize("selection", [["-m", "slow"], ["test_tiered.py::test_exhaustive"]])
def test_a_slow_test_asked_for_by_marker_or_node_id_runs(suite: pytest.Pytester, selection: list[str]) -> None:
    run(suite, *selection).assert_outcomes(passed=1, deselected=0 if "::" in selection[0] else 2)


def test_under_xdist_the_count_comes_back_from_the_workers(suite: pytest.Pytester) -> None:
    result = run(suite, "-n", "2")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["tiers: 1 slow tests not run (*)"])
