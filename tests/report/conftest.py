"""Real drift findings for the report tests, made once per session without pytest runs: the static
checks and a few behaviour checks (special tokens, the literal-injection check, two sweeps) of the
demo pair zoo:llama3 vs zoo:llama3-eom, and of llama3 vs its merges-reordered mutant."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.checks.behaviour.conftest import quick_settings, session_for
from tokcheck import zoo
from tokcheck.checks.behaviour.run import BehaviourRun
from tokcheck.checks.behaviour.sweeps.registry import shards_of
from tokcheck.findings import Finding
from tokcheck.report.context import ReportContext
from tokcheck.zoo.mutants import mutant as zoo_mutant

SWEEPS = {"llama3-eom": ("added_tokens", "custom_texts"), "llama3-merges-reordered": ("merges",)}


@pytest.fixture(scope="session")
def drift_of() -> Callable[[str], tuple[list[Finding], ReportContext]]:
    """drift_of("llama3-eom"): the findings of a zoo mutant against its base, and its report context."""
    made: dict[str, tuple[list[Finding], ReportContext]] = {}

    def get(name: str) -> tuple[list[Finding], ReportContext]:
        if name not in made:
            mutant = zoo_mutant(name)
            session = session_for(zoo.path_for(mutant.base), zoo.path_for(name))
            findings = [finding for check in session.static.values() for finding in check]
            run = BehaviourRun(session, quick_settings())
            findings += run.special_token_findings() + run.injection_findings()
            for sweep in SWEEPS.get(name, ()):
                for shard in range(shards_of(sweep, run.settings.sweep_shards)):
                    findings += run.sweep_findings(sweep, shard)
            made[name] = (findings, ReportContext(sides=session.describe_sides(), settings=quick_settings().header()))
        return made[name]

    return get
