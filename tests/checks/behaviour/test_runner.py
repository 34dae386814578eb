"""Running a property: examples checked in one batch, the first failure replayed under Hypothesis
and shrunk to a minimal one; a replay that stops failing keeps the failure as generated; and an
exception a check raises is that check's error, with its traceback, never a silent counterexample."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck

from tokcheck.checks.behaviour import runner
from tokcheck.checks.behaviour.counterexamples import Counterexample
from tokcheck.checks.behaviour.property import NOT_COMPARED, CheckResult, Property
from tokcheck.checks.behaviour.run import compared_nothing
from tokcheck.checks.behaviour.runner import run_property
from tokcheck.checks.behaviour.settings import BehaviourSettings
from tokcheck.findings import Severity

SETTINGS = BehaviourSettings(profile="ci", examples=200)
PAIR: Any = SimpleNamespace(comparison=None)  # these properties look at their examples only


def example(number: int) -> Counterexample:
    return Counterexample(check="behaviour.demo", code="behaviour.demo.big", message=f"{number} is too big", text=str(number))


def demo(check: Any) -> Property:
    return Property("demo", "numbers stay small", lambda inputs: st.integers(0, 10_000), check)


def too_big(comparison: Any, numbers: list[int]) -> list[Counterexample | None]:
    return [example(n) if n >= 10 else None for n in numbers]


def test_a_failure_is_shrunk_to_the_minimal_example() -> None:
    outcome = run_property(demo(too_big), PAIR, SETTINGS)
    assert outcome.counterexample is not None and outcome.counterexample.text == "10"
    assert outcome.shrunk and 0 < outcome.failed <= outcome.generated == 200


def test_without_a_recorded_choice_sequence_the_seed_replay_still_shrinks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "_current_choices", lambda: None)
    outcome = run_property(demo(too_big), PAIR, SETTINGS)
    assert outcome.shrunk and outcome.counterexample is not None and outcome.counterexample.text == "10"


def test_a_replay_that_stops_failing_keeps_the_failure_as_generated() -> None:
    calls: Counter[int] = Counter()

    def fails_once(comparison: Any, numbers: list[int]) -> list[Counterexample | None]:
        if len(numbers) != 1:  # the batch check of exploration
            return too_big(comparison, numbers)
        calls[numbers[0]] += 1  # a replayed example fails the first time only: Hypothesis calls it flaky
        return [example(numbers[0]) if numbers[0] >= 10 and calls[numbers[0]] == 1 else None]

    outcome = run_property(demo(fails_once), PAIR, SETTINGS)
    assert outcome.counterexample is not None and int(outcome.counterexample.text or 0) >= 10


def test_a_check_that_raises_is_reported_as_its_own_error_not_as_a_counterexample() -> None:
    def broken(comparison: Any, numbers: list[int]) -> list[Counterexample | None]:
        if len(numbers) == 1 and numbers[0] >= 10:
            raise KeyError("a bug in the check")
        return too_big(comparison, numbers)

    with pytest.raises(KeyError, match="a bug in the check"):
        run_property(demo(broken), PAIR, SETTINGS)


def test_no_examples_no_outcome() -> None:
    empty = Property("empty", "nothing to generate", lambda inputs: st.nothing(), too_big)
    assert run_property(empty, PAIR, SETTINGS).generated == 0


def test_the_outcome_counts_the_examples_compared_apart_from_those_base_could_not_take() -> None:
    def odd_only(comparison: Any, numbers: list[int]) -> list[CheckResult]:
        return [None if n % 2 else NOT_COMPARED for n in numbers]

    outcome = run_property(demo(odd_only), PAIR, SETTINGS)
    assert outcome.generated == 200 and 0 < outcome.compared < 200


def test_a_property_whose_base_raised_on_every_example_fails_as_compared_nothing() -> None:
    never: Property = demo(lambda comparison, numbers: [NOT_COMPARED] * len(numbers))
    outcome = run_property(never, PAIR, SETTINGS)
    assert outcome.generated == 200 and outcome.compared == 0 and outcome.counterexample is None
    (finding,) = compared_nothing(outcome, never.title)
    assert finding.severity is Severity.ERROR and finding.code == "behaviour.demo.compared-nothing"
    assert "base raised on all 200 generated examples" in finding.message


def test_an_empty_strategy_is_a_warning_that_says_nothing_was_compared() -> None:
    empty = Property("empty", "nothing to generate", lambda inputs: st.nothing(), too_big)
    (finding,) = compared_nothing(run_property(empty, PAIR, SETTINGS), empty.title)
    assert finding.severity is Severity.WARNING and "compared nothing" in finding.message


def test_a_property_that_compared_examples_and_agreed_has_no_finding() -> None:
    outcome = run_property(demo(lambda comparison, numbers: [None] * len(numbers)), PAIR, SETTINGS)
    assert outcome.compared == 200 and compared_nothing(outcome, "agrees") == []


def test_a_check_bug_that_shows_only_on_replay_is_raised_not_swallowed_by_the_shrinker() -> None:
    calls: Counter[int] = Counter()

    def bug_on_second_call(comparison: Any, numbers: list[int]) -> list[Counterexample | None]:
        if len(numbers) != 1:
            return too_big(comparison, numbers)
        calls[numbers[0]] += 1
        if calls[numbers[0]] == 2:  # flaky: Hypothesis wraps it in a FlakyFailure
            raise ZeroDivisionError("a bug in the check")
        return too_big(comparison, numbers)

    with pytest.raises(ZeroDivisionError, match="a bug in the check"):
        run_property(demo(bug_on_second_call), PAIR, SETTINGS)


def test_the_filter_health_check_is_not_suppressed() -> None:
    suppressed = runner.profile_settings("ci").suppress_health_check
    assert st is not None and HealthCheck.filter_too_much not in suppressed and HealthCheck.too_slow in suppressed
