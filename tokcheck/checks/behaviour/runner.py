"""Running a property under Hypothesis: the profiles (``dev``, ``ci``, ``thorough``) as Hypothesis
settings, exploration that checks the generated examples in one batch, and, on a failure, a replay
under Hypothesis with a per-example check so that it shrinks to a minimal example.

Profiles are passed to each run explicitly and never loaded globally, so a project's own
Hypothesis tests keep their profile; everything Hypothesis writes goes under tokcheck's cache
directory, never ``.hypothesis`` in the current directory."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, configuration, given, settings
from hypothesis import seed as seed_decorator
from hypothesis.database import DirectoryBasedExampleDatabase, InMemoryExampleDatabase, MultiplexedDatabase
from hypothesis.errors import FailedHealthCheck, Flaky, Unsatisfiable

from tokcheck.checks.behaviour.counterexamples import Counterexample
from tokcheck.checks.behaviour.pair_inputs import PairInputs
from tokcheck.checks.behaviour.property import NOT_COMPARED, Property
from tokcheck.checks.behaviour.settings import EXAMPLES, PROFILE_NAMES, BehaviourSettings
from tokcheck.paths import user_cache_dir

# What Hypothesis raises when a replay does not behave like the run it replays: the shrinker keeps
# the last failure it saw. Anything else a check raises is a bug in that check and propagates.
_REPLAY_TROUBLE = (Flaky, FailedHealthCheck, Unsatisfiable)


def hypothesis_home() -> Path:
    return user_cache_dir() / "hypothesis"


def profile_settings(name: str, *, max_examples: int | None = None) -> settings:
    """The settings of profile `name`: dev (fast, example database in tokcheck's cache), ci
    (derandomized, no deadline, no database), thorough (many examples)."""
    if name not in PROFILE_NAMES:
        raise ValueError(f"unknown tokcheck Hypothesis profile {name!r}; choose from {', '.join(PROFILE_NAMES)}")
    database = None if name == "ci" else DirectoryBasedExampleDatabase(str(hypothesis_home() / "examples"))
    return settings(
        max_examples=max_examples or EXAMPLES[name],
        derandomize=name == "ci",
        deadline=None,
        database=database,
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
        # Slow tokenizer calls and large texts are the point here; a strategy that filters out most
        # of what it draws (or a nested @given) is a bug in tokcheck and must show.
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
        print_blob=False,
    )


for _name in PROFILE_NAMES:  # so projects can reuse them: settings.load_profile("tokcheck-ci")
    settings.register_profile(f"tokcheck-{_name}", profile_settings(_name))


def run_settings(behaviour: BehaviourSettings, **changes: Any) -> settings:
    """Hypothesis settings for one run under `behaviour`'s profile and examples per property."""
    return settings(profile_settings(behaviour.profile, max_examples=behaviour.examples_per_property), **changes)


@contextlib.contextmanager
def storage_in_cache() -> Iterator[None]:
    """Point Hypothesis's storage (charmap and constants caches, patches) at tokcheck's cache for
    the duration, then restore whatever the process had."""
    attribute = "__hypothesis_home_directory"  # module global; restored as found
    previous = getattr(configuration, attribute, None)
    configuration.set_hypothesis_home_dir(hypothesis_home())
    try:
        yield
    finally:
        setattr(configuration, attribute, previous)


@dataclass
class PropertyOutcome:
    """What running one property found: examples generated, how many of them were compared (not
    NOT_COMPARED), how many failed, and the minimal counterexample (shrunk by Hypothesis when
    `shrunk`). `empty_strategy`: the pair gave the strategy nothing to draw from."""

    name: str
    generated: int
    failed: int = 0
    counterexample: Counterexample | None = None
    shrunk: bool = False
    seconds: dict[str, float] = field(default_factory=dict)  # "explore", "check", "shrink"
    compared: int = 0
    empty_strategy: bool = False


class _Failed(Exception):
    pass


def _current_choices() -> tuple[Any, ...] | None:
    """The choice sequence Hypothesis drew the current example from (to replay it for shrinking),
    or None where this Hypothesis has no such record: the replay then starts from the seed."""
    try:
        from hypothesis.control import current_build_context

        return tuple(current_build_context().data.choices)
    except Exception:  # internals of another Hypothesis version; the seed replay still finds it
        return None


def _replay_database(key: bytes, choices: tuple[Any, ...] | None) -> InMemoryExampleDatabase:
    """A database holding the recorded example, so the replay starts from it."""
    replay = InMemoryExampleDatabase()
    if choices is not None:
        from hypothesis.database import choices_to_bytes  # only where _current_choices found choices

        replay.save(key, choices_to_bytes(choices))
    return replay


def _test(strategy: Any, run: settings, seed: int, key: bytes, body: Any) -> Any:
    @seed_decorator(seed)
    @run
    @given(strategy)
    def tokcheck_property(example: Any) -> None:
        body(example)

    tokcheck_property._hypothesis_internal_database_key = key
    return tokcheck_property


def run_property(prop: Property, inputs: PairInputs, behaviour: BehaviourSettings) -> PropertyOutcome:
    """Generate the examples, check them in one batch, and if any fails, replay the first failure
    under Hypothesis with a per-example check so that it shrinks to a minimal one."""
    comparison = inputs.comparison
    strategy = prop.strategy(inputs)
    if strategy.is_empty:
        return PropertyOutcome(prop.name, 0, empty_strategy=True)
    key = f"tokcheck-behaviour-{prop.name}".encode()
    seed = behaviour.seed_for(prop.name)
    recorded: list[tuple[Any, tuple[Any, ...] | None]] = []
    prop.check(comparison, [])  # import what checking needs now: new modules would change generation
    seconds: dict[str, float] = {}
    with storage_in_cache():
        started = time.perf_counter()
        explore = run_settings(behaviour, phases=(Phase.reuse, Phase.generate))
        _test(strategy, explore, seed, key, lambda example: recorded.append((example, _current_choices())))()
        seconds["explore"] = time.perf_counter() - started
        results = prop.check(comparison, [example for example, _ in recorded])
        seconds["check"] = time.perf_counter() - started - seconds["explore"]
        compared = sum(result is not NOT_COMPARED for result in results)
        failing = [i for i, result in enumerate(results) if isinstance(result, Counterexample)]
        if not failing:
            return PropertyOutcome(prop.name, len(recorded), seconds=seconds, compared=compared)
        started = time.perf_counter()
        minimal = _shrink(prop, inputs, behaviour, strategy, seed, key, recorded[failing[0]][1])
        seconds["shrink"] = time.perf_counter() - started
    first = results[failing[0]]
    assert isinstance(first, Counterexample)
    return PropertyOutcome(prop.name, len(recorded), len(failing), minimal or first, minimal is not None, seconds, compared)


def _shrink(
    prop: Property, inputs: PairInputs, behaviour: BehaviourSettings, strategy: Any, seed: int, key: bytes,
    choices: tuple[Any, ...] | None,
) -> Counterexample | None:
    """The smallest failing example Hypothesis finds from the recorded one, or None when the replay
    does not fail (then the caller reports the example as generated). An exception the check
    raises is not a failure to shrink: it propagates, and the check's test reports it."""
    replay = _replay_database(key, choices)
    persistent = run_settings(behaviour).database
    database = MultiplexedDatabase(replay, persistent) if persistent is not None else replay
    found: list[Counterexample] = []

    def body(example: Any) -> None:
        result = prop.check(inputs.comparison, [example])[0]
        if isinstance(result, Counterexample):
            found[:] = [result]
            raise _Failed

    try:
        _test(strategy, run_settings(behaviour, database=database), seed, key, body)()
    except _Failed:
        pass
    except _REPLAY_TROUBLE as trouble:
        # A replay that stopped failing (or a health check): keep the last failure seen, if any.
        # But a flaky failure that carries an exception of the check's own is that check's bug.
        own = [e for e in getattr(trouble, "exceptions", ()) if not isinstance(e, _Failed)]
        if own:
            raise own[0] from trouble
    return found[-1] if found else None
