"""The behaviour part of the plugin: BehaviourSettings from the options (profile, examples, seed,
sweep sample and shards; a bad value is a one-line usage error), and what the xdist controller
hands to every worker: the seed, so that all of them run the same examples, and the snapshots it
has already read (its tokcheck.sources.snapshot_store), so that no worker parses the files again."""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tokcheck.checks.behaviour.settings import (
    DEFAULT_SHARDS,
    PROFILE_NAMES,
    QUICK_EXAMPLES,
    QUICK_SAMPLE,
    BehaviourSettings,
    default_profile,
)
from tokcheck.plugin.options import (
    EXAMPLES_PER_PROPERTY,
    FULL_SWEEPS,
    HYPOTHESIS_SEED_DEST,
    PROFILE,
    PROFILE_OPTION,
    QUICK,
    SWEEP_SAMPLE,
    SWEEP_SHARDS,
    Option,
)
from tokcheck.sources import template_budget

WORKER_SEED_KEY = "tokcheck_hypothesis_seed"
WORKER_SNAPSHOTS_KEY = "tokcheck_snapshots"
WORKER_REFUSALS_KEY = "tokcheck_template_refusals"


def _number(config: pytest.Config, option: Option, kind: type, low: float, high: float | None = None) -> Any:
    raw = config.getoption(option.dest)
    if raw is None:
        return None
    try:
        value = kind(str(raw).strip())
    except ValueError:
        value = None
    if value is None or value < low or (high is not None and value > high) or (kind is float and value <= 0):
        bound = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise pytest.UsageError(f"{option.flags[0]}: expected a number {bound}, got {raw!r}")
    return value


def read_settings(config: pytest.Config) -> BehaviourSettings:
    """Behaviour settings from the options; a bad value is a one-line usage error."""
    profile = config.getoption(PROFILE.dest) or default_profile()
    if profile not in PROFILE_NAMES:
        raise pytest.UsageError(f"{PROFILE_OPTION}: unknown profile {profile!r}; choose from {', '.join(PROFILE_NAMES)}")
    quick = config.getoption(QUICK.dest)
    examples = _number(config, EXAMPLES_PER_PROPERTY, int, 1)
    sample = _number(config, SWEEP_SAMPLE, float, 0, 1)
    shards = _number(config, SWEEP_SHARDS, int, 1)
    return BehaviourSettings(
        profile=profile,
        seed=_seed(config, profile),
        examples=examples if examples is not None else (QUICK_EXAMPLES if quick else None),
        sweep_sample=sample if sample is not None else (QUICK_SAMPLE if quick else 1.0),
        sweep_shards=shards if shards is not None else DEFAULT_SHARDS,
        full_sweeps=bool(config.getoption(FULL_SWEEPS.dest)),
    )


def _seed(config: pytest.Config, profile: str) -> int | str | None:
    """--hypothesis-seed when given; else the controller's seed on an xdist worker; else none for
    the derandomized ci profile, a fresh random seed otherwise (printed in the header)."""
    given = config.getoption(HYPOTHESIS_SEED_DEST, default=None)
    if given is not None:
        text = str(given)
        return int(text) if text.isdigit() else text
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and WORKER_SEED_KEY in workerinput:
        seed: int | str | None = workerinput[WORKER_SEED_KEY]
        return seed
    return None if profile == "ci" else random.SystemRandom().randrange(10**6)


class XdistHooks:
    """Hands the controller's seed to every worker, so that all of them run the same examples, the
    snapshots `snapshots()` packs (made once, for every worker), and the run's directory of chat
    templates refused for their budget (tokcheck.sources.template_budget), so that a template one
    worker gave up on is not rendered again by another; the directory goes when the run ends."""

    def __init__(self, settings: BehaviourSettings, snapshots: Callable[[], bytes]) -> None:
        self.settings = settings
        self._snapshots = snapshots
        self._packed: bytes | None = None
        self._refusals: str | None = None

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[WORKER_SEED_KEY] = self.settings.seed
        if self._packed is None:
            self._packed = self._snapshots()
        node.workerinput[WORKER_SNAPSHOTS_KEY] = self._packed
        if self._refusals is None:
            self._refusals = tempfile.mkdtemp(prefix="tokcheck-template-refusals-")
        node.workerinput[WORKER_REFUSALS_KEY] = self._refusals

    def pytest_unconfigure(self) -> None:
        if self._refusals is not None:
            shutil.rmtree(self._refusals, ignore_errors=True)


def start_refusals(config: pytest.Config) -> None:
    """No template refused yet in this run; on an xdist worker, refusals shared with the others."""
    directory = getattr(config, "workerinput", {}).get(WORKER_REFUSALS_KEY)
    template_budget.start_refusals(Path(directory) if directory is not None else None)
