"""The test tiers (``-p tests.tiers`` in pyproject's addopts).

- The default tier: every test not marked below. Every drift class, every mutant kind and every
  check keeps at least one test here that fails when it breaks.
- ``@pytest.mark.slow``: tests whose value is exhaustive coverage (every pair, every string),
  not a behaviour the default tier lacks. Left out unless ``TOKCHECK_FULL=1`` (``tox -e full``),
  a ``-m`` expression that names ``slow``, or node ids on the command line.
- ``@pytest.mark.version_independent``: a test in a version env's list whose outcome cannot depend
  on the installed transformers. The envs that exist to test a version (tox.ini's tf457 and tf50
  set ``TOKCHECK_VERSIONED_ONLY=1``) leave it to tf5, unless ``TOKCHECK_FULL=1``.

What a run left out is deselected (not skipped), and counted in one line at the end of the run;
under xdist the count comes from the workers, which are the ones that collect."""

from __future__ import annotations

import os
from typing import Any

import pytest

FULL_ENV = "TOKCHECK_FULL"
VERSIONED_ONLY_ENV = "TOKCHECK_VERSIONED_ONLY"
LEFT_OUT_KEY = pytest.StashKey[dict[str, int]]()
WORKER_OUTPUT = "tokcheck_tiers_left_out"

TIER_MARKERS = {
    "slow": "exhaustive coverage beyond the default tier; runs with TOKCHECK_FULL=1 (tox -e full) or -m slow",
    "version_independent": "outcome cannot depend on the transformers version: the version envs "
    "(TOKCHECK_VERSIONED_ONLY=1) leave it to tf5",
}


def full_run() -> bool:
    return os.environ.get(FULL_ENV) == "1"


def _tiers_to_leave_out(config: pytest.Config) -> list[str]:
    if full_run() or any("::" in arg for arg in config.args):
        return []
    tiers = [] if "slow" in (config.option.markexpr or "") else ["slow"]
    if os.environ.get(VERSIONED_ONLY_ENV) == "1":
        tiers.append("version_independent")
    return tiers


def pytest_configure(config: pytest.Config) -> None:
    for name, text in TIER_MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    config.stash[LEFT_OUT_KEY] = {}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    left_out = config.stash[LEFT_OUT_KEY]
    for tier in _tiers_to_leave_out(config):
        dropped = [item for item in items if item.get_closest_marker(tier)]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = [item for item in items if not item.get_closest_marker(tier)]
            left_out[tier] = len(dropped)
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[WORKER_OUTPUT] = dict(left_out)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist's controller: every worker collected the same tests, so any worker's count is the run's."""
    counts = getattr(node, "workeroutput", {}).get(WORKER_OUTPUT)
    if counts:
        node.config.stash[LEFT_OUT_KEY].update(counts)


def left_out(config: pytest.Config) -> dict[str, int]:
    counts: dict[str, int] = config.stash.get(LEFT_OUT_KEY, {})
    return dict(counts)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    counts = left_out(config)
    parts = []
    if counts.get("slow"):
        parts.append(f"{counts['slow']} slow tests not run (TOKCHECK_FULL=1 or tox -e full runs them)")
    if counts.get("version_independent"):
        parts.append(f"{counts['version_independent']} version-independent tests left to tf5")
    if parts:
        terminalreporter.write_line("tiers: " + "; ".join(parts))
