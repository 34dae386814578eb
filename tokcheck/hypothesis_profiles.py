"""Hypothesis settings for tokcheck's behaviour checks (profiles ``dev``, ``ci``, ``thorough``) and
the runner that explores a property, checks the examples in one batch, and on a failure lets
Hypothesis shrink it to a minimal example. Profiles are passed to each run explicitly and never
loaded globally, so a project's own Hypothesis tests keep their profile; everything Hypothesis
writes goes under tokcheck's cache directory, never ``.hypothesis`` in the current directory."""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as seed_decorator
from hypothesis.database import DirectoryBasedExampleDatabase, InMemoryExampleDatabase, MultiplexedDatabase

from tokcheck.behaviour import EXAMPLES, PROFILE_NAMES, default_profile, in_ci
from tokcheck.counterexamples import Counterexample
from tokcheck.paths import user_cache_dir

if TYPE_CHECKING:
    from tokcheck.properties import Comparison, Property

__all__ = ["EXAMPLES", "PROFILE_NAMES", "PropertyOutcome", "RunConfig", "default_profile", "in_ci", "profile_settings",
           "run_property", "storage_in_cache"]

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
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
        print_blob=False,
    )


for _name in PROFILE_NAMES:  # so projects can reuse them: settings.load_profile("tokcheck-ci")
    settings.register_profile(f"tokcheck-{_name}", profile_settings(_name))


@dataclass(frozen=True)
class RunConfig:
    """How the behaviour checks run: profile, seed (None: derandomized), examples per property."""

    profile: str = "dev"
    seed: int | str | None = None
    max_examples: int | None = None

    @property
    def examples(self) -> int:
        return self.max_examples or EXAMPLES[self.profile]

    def seed_for(self, name: str) -> int:
        """Each property's own seed, derived from the run's seed (or fixed when derandomized)."""
        base = "derandomized" if self.seed is None else str(self.seed)
        return int(hashlib.sha256(f"{base}:{name}".encode()).hexdigest()[:16], 16)

    def settings(self, **changes: Any) -> settings:
        return settings(profile_settings(self.profile, max_examples=self.examples), **changes)


@contextlib.contextmanager
def storage_in_cache() -> Iterator[None]:
    """Point Hypothesis's storage (charmap and constants caches, patches) at tokcheck's cache for
    the duration, then restore whatever the process had."""
    from hypothesis import configuration

    attribute = "__hypothesis_home_directory"  # module global; restored as found
    previous = getattr(configuration, attribute, None)
    configuration.set_hypothesis_home_dir(hypothesis_home())
    try:
        yield
    finally:
        setattr(configuration, attribute, previous)


@dataclass
class PropertyOutcome:
    """What running one property found: examples generated, how many failed, and the minimal
    counterexample (shrunk by Hypothesis when `shrunk`)."""

    name: str
    generated: int
    failed: int = 0
    counterexample: Counterexample | None = None
    shrunk: bool = False
    seconds: dict[str, float] = field(default_factory=dict)  # "explore", "check", "shrink"


class _Failed(Exception):
    pass


def _current_choices() -> tuple[Any, ...] | None:
    """The choice sequence Hypothesis drew the current example from (to replay it for shrinking)."""
    try:
        from hypothesis.control import current_build_context

        return tuple(current_build_context().data.choices)
    except Exception:  # another Hypothesis version: fall back to replaying by seed
        return None


def _test(strategy: Any, run_settings: settings, seed: int, key: bytes, body: Any) -> Any:
    @seed_decorator(seed)
    @run_settings
    @given(strategy)
    def tokcheck_property(example: Any) -> None:
        body(example)

    tokcheck_property._hypothesis_internal_database_key = key
    return tokcheck_property


def run_property(prop: Property, comparison: Comparison, config: RunConfig) -> PropertyOutcome:
    """Generate `config.examples` inputs, check them in one batch, and if any fails, replay the
    first failure under Hypothesis with a per-example check so that it shrinks to a minimal one."""
    strategy = prop.strategy(comparison)
    if strategy.is_empty:
        return PropertyOutcome(prop.name, 0)
    key = f"tokcheck-behaviour-{prop.name}".encode()
    seed = config.seed_for(prop.name)
    recorded: list[tuple[Any, tuple[Any, ...] | None]] = []
    prop.check(comparison, [])  # import what checking needs now: new modules would change generation
    seconds: dict[str, float] = {}
    with storage_in_cache():
        started = time.perf_counter()
        explore = config.settings(phases=(Phase.reuse, Phase.generate))
        _test(strategy, explore, seed, key, lambda example: recorded.append((example, _current_choices())))()
        seconds["explore"] = time.perf_counter() - started
        results = prop.check(comparison, [example for example, _ in recorded])
        seconds["check"] = time.perf_counter() - started - seconds["explore"]
        failing = [i for i, result in enumerate(results) if result is not None]
        if not failing:
            return PropertyOutcome(prop.name, len(recorded), seconds=seconds)
        started = time.perf_counter()
        minimal = _shrink(prop, comparison, config, strategy, seed, key, recorded[failing[0]][1])
        seconds["shrink"] = time.perf_counter() - started
    first = results[failing[0]]
    assert first is not None
    return PropertyOutcome(prop.name, len(recorded), len(failing), minimal or first, minimal is not None, seconds)


def _shrink(
    prop: Property, comparison: Comparison, config: RunConfig, strategy: Any, seed: int, key: bytes,
    choices: tuple[Any, ...] | None,
) -> Counterexample | None:
    replay = InMemoryExampleDatabase()
    if choices is not None:
        from hypothesis.database import choices_to_bytes

        replay.save(key, choices_to_bytes(choices))
    persistent = config.settings().database
    database = MultiplexedDatabase(replay, persistent) if persistent is not None else replay
    found: list[Counterexample] = []

    def body(example: Any) -> None:
        result = prop.check(comparison, [example])[0]
        if result is not None:
            found[:] = [result]
            raise _Failed

    try:
        _test(strategy, config.settings(database=database), seed, key, body)()
    except _Failed:
        pass
    except Exception:  # flaky replay or a health check: keep the last failure seen, if any
        pass
    return found[-1] if found else None
