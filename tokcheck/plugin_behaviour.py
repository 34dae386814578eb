"""The behaviour part of the plugin: options for the Hypothesis properties and the sweeps, the
``behaviour`` and ``sweep`` markers, the seed shared with xdist workers, the settings shown in the
report header, and the ``tokcheck_behaviour`` fixture. Importing it is cheap (no Hypothesis, no
transformers)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from tokcheck.behaviour import (
    PROFILE_NAMES,
    QUICK_EXAMPLES,
    QUICK_SAMPLE,
    BehaviourRun,
    BehaviourSettings,
    default_profile,
)

EXAMPLES_OPTION = "--tokcheck-examples"
PROFILE_OPTION = "--tokcheck-profile"
SWEEP_SAMPLE_OPTION = "--tokcheck-sweep-sample"
SWEEP_SHARDS_OPTION = "--tokcheck-sweep-shards"
QUICK_OPTION = "--tokcheck-quick"
HYPOTHESIS_SEED_DEST = "hypothesis_seed"  # Hypothesis's own --hypothesis-seed
WORKER_SEED_KEY = "tokcheck_hypothesis_seed"

MARKERS = {
    "behaviour": "tokcheck check that runs base and tuned side by side (Hypothesis properties and sweeps)",
    "sweep": "tokcheck behaviour check that sweeps a whole input space in batches (vocabulary, code points ...)",
}

BEHAVIOUR_KEY = pytest.StashKey[BehaviourSettings]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tokcheck")
    group.addoption(
        EXAMPLES_OPTION, dest="tokcheck_examples", metavar="N", default=None,
        help="Hypothesis examples per behaviour property (default: the profile's: dev 100, ci 100, thorough 2000).",
    )
    group.addoption(
        PROFILE_OPTION, dest="tokcheck_profile", metavar="NAME", default=None,
        help="Hypothesis profile of the behaviour checks: dev, ci (derandomized; the default when CI=true) "
        "or thorough. Projects' own Hypothesis tests keep their profile.",
    )
    group.addoption(
        SWEEP_SAMPLE_OPTION, dest="tokcheck_sweep_sample", metavar="FRACTION", default=None,
        help="check a deterministic sample of this fraction of each large sweep (vocabulary, code points, "
        "ASCII pairs, apostrophes) instead of every input (default 1).",
    )
    group.addoption(
        SWEEP_SHARDS_OPTION, dest="tokcheck_sweep_shards", metavar="N", default=None,
        help="split each large sweep into N tests, spread over xdist workers by -n (default 4).",
    )
    group.addoption(
        QUICK_OPTION, dest="tokcheck_quick", action="store_true", default=False,
        help=f"fast behaviour checks: {EXAMPLES_OPTION} {QUICK_EXAMPLES} and {SWEEP_SAMPLE_OPTION} {QUICK_SAMPLE} "
        "unless given (for self-tests over many pairs; still catches pipeline, flag and template drift).",
    )


def _number(config: pytest.Config, dest: str, option: str, kind: type, low: float, high: float | None = None) -> Any:
    raw = config.getoption(dest)
    if raw is None:
        return None
    try:
        value = kind(str(raw).strip())
    except ValueError:
        value = None
    if value is None or value < low or (high is not None and value > high) or (kind is float and value <= 0):
        bound = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise pytest.UsageError(f"{option}: expected a number {bound}, got {raw!r}")
    return value


def read_settings(config: pytest.Config) -> BehaviourSettings:
    """Behaviour settings from the options; a bad value is a one-line usage error."""
    profile = config.getoption("tokcheck_profile") or default_profile()
    if profile not in PROFILE_NAMES:
        raise pytest.UsageError(f"{PROFILE_OPTION}: unknown profile {profile!r}; choose from {', '.join(PROFILE_NAMES)}")
    quick = config.getoption("tokcheck_quick")
    examples = _number(config, "tokcheck_examples", EXAMPLES_OPTION, int, 1)
    sample = _number(config, "tokcheck_sweep_sample", SWEEP_SAMPLE_OPTION, float, 0, 1)
    shards = _number(config, "tokcheck_sweep_shards", SWEEP_SHARDS_OPTION, int, 1)
    return BehaviourSettings(
        profile=profile,
        seed=_seed(config, profile),
        examples=examples if examples is not None else (QUICK_EXAMPLES if quick else None),
        sweep_sample=sample if sample is not None else (QUICK_SAMPLE if quick else 1.0),
        sweep_shards=shards if shards is not None else 4,
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
    """Hands the controller's seed to every worker, so that all of them run the same examples."""

    def __init__(self, settings: BehaviourSettings) -> None:
        self.settings = settings

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[WORKER_SEED_KEY] = self.settings.seed


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    settings = read_settings(config)
    config.stash[BEHAVIOUR_KEY] = settings
    from tokcheck.plugin import SESSION_KEY

    session = config.stash.get(SESSION_KEY, None)
    if session is not None and session.has_pair:
        session.report_settings.update(settings.header())
    if config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(XdistHooks(settings), "tokcheck-behaviour-xdist")


def behaviour_settings(config: pytest.Config) -> BehaviourSettings:
    return config.stash.get(BEHAVIOUR_KEY, None) or BehaviourSettings()


@pytest.fixture(scope="session")
def tokcheck_behaviour(tokcheck_session: Any, pytestconfig: pytest.Config) -> BehaviourRun:
    """Runs tokcheck's behaviour checks on the configured pair, by name, as findings. Example:
        def test_ids_match_on_generated_text(tokcheck_behaviour, tokcheck_verdict):
            tokcheck_verdict.conclude(tokcheck_behaviour.property_findings("ids"))

    Properties: ids, round_trip, decode, special_literals, chat_render, chat_bos, stop_token, batch,
    padding; sweeps: vocab_ids, code_points, ascii_pairs, apostrophes, added_tokens, ... Settings come
    from --tokcheck-profile, --tokcheck-examples, --hypothesis-seed and --tokcheck-sweep-sample.
    """
    return BehaviourRun(tokcheck_session, behaviour_settings(pytestconfig))
