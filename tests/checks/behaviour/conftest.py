"""Fixtures for the behaviour checks' tests: real zoo tokenizers, hand-made drift mutants of them in
temporary directories, and BehaviourRuns over such pairs (each built once per session/worker)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.checks.behaviour import mutants
from tests.kept import keep_for_the_process
from tokcheck import zoo
from tokcheck.checks.behaviour.run import BehaviourRun
from tokcheck.checks.behaviour.settings import QUICK_EXAMPLES, QUICK_SAMPLE, BehaviourSettings
from tokcheck.checks.checked_session import CheckedSession
from tokcheck.session import Settings, SpecSetting
from tokcheck.sources.snapshot_store import SnapshotStore
from tokcheck.sources.spec import resolve

SEED = 20240611  # fixed, so that these tests see the same examples on every run


def quick_settings() -> BehaviourSettings:
    """The settings the self-test documents for many pairs: --tokcheck-quick with a fixed seed."""
    return BehaviourSettings(profile="ci", seed=SEED, examples=QUICK_EXAMPLES, sweep_sample=QUICK_SAMPLE)


def session_for(base: Path | str, tuned: Path | str, store: SnapshotStore | None = None) -> CheckedSession:
    session = CheckedSession(Settings(base=SpecSetting(str(base)), tuned=SpecSetting(str(tuned))), store=store)
    session.validate()
    return session


@pytest.fixture(scope="session")
def variant_run(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], BehaviourRun]:
    """variant_run("lstrip_special"): a BehaviourRun (quick settings) of a zoo base against the
    mutant or benign variant of tests/behaviour/mutants.py with that name, made once."""
    runs: dict[str, BehaviourRun] = {}
    bases = SnapshotStore()  # each zoo base read and loaded once: every run starts from a copy
    kept: set[str] = set()

    def get(name: str) -> BehaviourRun:
        if name not in runs:
            base, tuned = mutants.build(name, tmp_path_factory.mktemp("variant") / name)
            source = resolve(str(zoo.path_for(base)))
            if base not in kept:
                bases.snapshot(source, False)
                bases.loaded(source, False)
                keep_for_the_process()
                kept.add(base)
            runs[name] = BehaviourRun(session_for(zoo.path_for(base), tuned, bases.copy()), quick_settings())
        return runs[name]

    return get
