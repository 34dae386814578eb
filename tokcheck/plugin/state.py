"""What one pytest run of tokcheck is, decided once when pytest starts: the tuned checkpoints
against the base (one pair is a run of one checkpoint), the behaviour settings, the golden run and
each checkpoint's model files, built in that order, in one place. The collection, the reporter and
the fixtures read it from the config's stash, and ask it for a checkpoint by id."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from tokcheck.checks.behaviour.settings import BehaviourSettings
from tokcheck.checks.checked_session import CheckedSession
from tokcheck.checks.checkpoints import Checkpoint, CheckpointRun
from tokcheck.environment import truthy
from tokcheck.paths import DEFAULT_ENCODING_CACHE_MAX_MIB, ENCODING_CACHE_MAX_ENV, NO_ENCODING_CACHE_ENV
from tokcheck.plugin.behaviour import read_settings
from tokcheck.plugin.golden import GoldenRun, read_golden
from tokcheck.plugin.model import report_settings, resolve_models
from tokcheck.plugin.options import (
    ACCEPT,
    ALLOW_DOWNLOAD,
    BASE,
    BASE_MODEL,
    BASE_OPTION,
    GOLDEN,
    MODELFILE,
    NO_ENCODING_CACHE,
    NO_SUITE,
    STRICT,
    TRUST_REMOTE_CODE,
    TUNED,
    TUNED_MODEL,
    TUNED_OPTION,
    Option,
    ini_value,
    option_or_ini,
    option_or_ini_list,
)
from tokcheck.report.context import ReportContext, content_hash
from tokcheck.session import Settings, SpecSetting
from tokcheck.sources.checkpoints import TunedSpecs, expand_tuned
from tokcheck.sources.snapshot_store import SnapshotStore

if TYPE_CHECKING:
    from tokcheck.checks.model.inspection import ModelPair


@dataclass(frozen=True)
class PluginRun:
    checkpoints: CheckpointRun  # the tuned checkpoints against the base; one pair is a run of one
    models: dict[str, ModelPair]  # each checkpoint's model files, by its id, where it has any
    store: SnapshotStore  # every file this run read, for its xdist workers
    behaviour: BehaviourSettings
    golden: GoldenRun | None
    from_flags: bool  # the pair (or the golden side) was given on the command line
    one_sided: bool  # --tokcheck-golden with one tokenizer: the pair checks do not apply
    no_suite: bool
    encoding_cache: bool = True  # keep the base's large encodings on disk for the next run
    encoding_cache_max_mib: int = DEFAULT_ENCODING_CACHE_MAX_MIB  # past it, the least recently used go

    def checkpoint(self, chosen: str | None = None) -> Checkpoint:
        """The checkpoint a test runs on: the one with id `chosen`, else the first checked one
        (the only one, for a pair)."""
        return self.checkpoints.by_id[chosen] if chosen is not None else self.checkpoints.checked[0]

    @property
    def settings(self) -> Settings:
        return self.checkpoints.settings

    @property
    def suite_wanted(self) -> bool:
        return (self.checkpoints.has_pair or (self.one_sided and self.from_flags)) and not self.no_suite

    def report_context(self) -> ReportContext:
        settings: dict[str, str] = {}
        if self.checkpoints.has_pair:
            settings.update(self.behaviour.header())
        hashes: dict[str, str] = {}  # a pair's, one per side; the matrix names many checkpoints instead
        if self.checkpoints.several:
            checked = len(self.checkpoints.checked)
            settings["checkpoints"] = (f"{len(self.checkpoints.checkpoints)}, {checked} checked "
                                       f"(the others have the same tokenizer as one of those)")
        else:
            session = self.checkpoint().session
            if (models := self.models.get(self.checkpoint().id)) is not None:
                settings.update(report_settings(models))
            if session.has_pair:
                hashes = {side.name: content_hash(side.source, side.snapshot) for side in session.sides}
        if self.golden is not None:
            settings["golden"] = self.golden.describe()
        return ReportContext(sides=self.checkpoints.describe(), settings=settings, strict=self.settings.strict,
                             hashes=hashes)


RUN_KEY = pytest.StashKey[PluginRun]()


def plugin_run(config: pytest.Config) -> PluginRun:
    return config.stash[RUN_KEY]


def _spec(config: pytest.Config, option: Option) -> tuple[SpecSetting | None, bool]:
    """The spec for one side and whether it came from the command line."""
    found = option_or_ini(config, option)
    if found is None:
        return None, False
    return SpecSetting(*found), bool(config.getoption(option.dest))


def read_tuned(config: pytest.Config) -> tuple[TunedSpecs, bool]:
    """Every tuned checkpoint the flags (or the ini key's lines) name, and whether from flags."""
    given, from_flags = option_or_ini_list(config, TUNED)
    return expand_tuned([(spec, relative_to) for spec, relative_to in given]), from_flags


def read_session_settings(config: pytest.Config, tuned_specs: TunedSpecs | None = None) -> tuple[Settings, bool]:
    """Settings from flags and ini keys, and whether the pair was given on the command line. The
    tuned side is the first tuned checkpoint (the only one, unless several are given)."""
    base, base_flag = _spec(config, BASE)
    if tuned_specs is None:
        tuned_specs, tuned_flag = read_tuned(config)
    else:
        tuned_flag = bool(config.getoption(TUNED.dest))
    first = tuned_specs.checkpoints[0] if tuned_specs.checkpoints else None
    tuned = SpecSetting(first.spec, first.relative_to) if first is not None else None
    assert STRICT.ini is not None and ACCEPT.ini is not None
    modelfile = option_or_ini(config, MODELFILE)
    settings = Settings(
        base=base,
        tuned=tuned,
        trust_remote_code=config.getoption(TRUST_REMOTE_CODE.dest),
        allow_download=config.getoption(ALLOW_DOWNLOAD.dest),
        strict=config.getoption(STRICT.dest) or bool(ini_value(config, STRICT.ini)[0]),
        accept=(*ini_value(config, ACCEPT.ini)[0], *config.getoption(ACCEPT.dest)),
        modelfile=None if modelfile is None else SpecSetting(*modelfile),
    )
    return settings, base_flag or tuned_flag


def encoding_cache_wanted(config: pytest.Config) -> bool:
    return not config.getoption(NO_ENCODING_CACHE.dest) and not truthy(os.environ.get(NO_ENCODING_CACHE_ENV, ""))


def encoding_cache_max_mib() -> int:
    """$TOKCHECK_ENCODING_CACHE_MAX_MIB (a whole number of MiB, 0: keep nothing), else the default."""
    raw = os.environ.get(ENCODING_CACHE_MAX_ENV, "").strip()
    if not raw:
        return DEFAULT_ENCODING_CACHE_MAX_MIB
    if not raw.isdigit():
        raise pytest.UsageError(f"{ENCODING_CACHE_MAX_ENV}: expected a whole number of MiB, got {raw!r}")
    return int(raw)


def configure_run(config: pytest.Config, store: SnapshotStore) -> PluginRun:
    """Everything this run needs, in order, its files read through `store`; bad input raises
    TokcheckUsageError (or pytest's)."""
    tuned_specs, _ = read_tuned(config)
    settings, from_flags = read_session_settings(config, tuned_specs)
    one_sided = bool(config.getoption(GOLDEN.dest))
    if from_flags and not one_sided and (settings.base is None) != (settings.tuned is None):
        given, missing = (BASE_OPTION, TUNED_OPTION) if settings.tuned is None else (TUNED_OPTION, BASE_OPTION)
        raise pytest.UsageError(f"{given} needs {missing} too: tokcheck compares a tuned tokenizer with its base")
    several = len(tuned_specs.checkpoints) > 1 or bool(tuned_specs.without_tokenizer)
    golden: GoldenRun | None = None
    if several and settings.base is not None:
        checkpoints, models = _checkpoints(config, settings, tuned_specs, store)
    else:  # one pair (or one side, for a golden run)
        session = CheckedSession(settings, store=store)
        session.validate()
        checkpoints = CheckpointRun.of_pair(session)
        golden = read_golden(config, session)
        found = resolve_models(config, session)
        models = {checkpoints.PAIR_ID: found} if found is not None else {}
    return PluginRun(
        checkpoints=checkpoints,
        models=models,
        store=store,
        behaviour=read_settings(config),
        golden=golden,
        from_flags=from_flags,
        one_sided=one_sided,
        no_suite=bool(config.getoption(NO_SUITE.dest)),
        encoding_cache=encoding_cache_wanted(config),
        encoding_cache_max_mib=encoding_cache_max_mib(),
    )


def _checkpoints(config: pytest.Config, settings: Settings, tuned_specs: TunedSpecs,
                 store: SnapshotStore) -> tuple[CheckpointRun, dict[str, ModelPair]]:
    """Several tuned checkpoints against one base, and the model files of those that have any."""
    for option in (GOLDEN, TUNED_MODEL):
        if option_or_ini(config, option) is not None:
            raise pytest.UsageError(
                f"{option.flags[0]} takes one tuned tokenizer, and {TUNED_OPTION} names "
                f"{len(tuned_specs.checkpoints)} checkpoints (each checkpoint's own weights are found next to it)"
                if option is TUNED_MODEL else f"{option.flags[0]} records one tokenizer: give {TUNED_OPTION} once"
            )
    checkpoints = CheckpointRun.of_checkpoints(settings, tuned_specs.checkpoints, tuple(tuned_specs.without_tokenizer),
                                               store=store)
    checkpoints.validate()
    models = {checkpoint.id: found for checkpoint in checkpoints.checkpoints
              if (found := resolve_models(config, checkpoint.session, one_of_many=True)) is not None}
    if not models and option_or_ini(config, BASE_MODEL) is not None:
        raise pytest.UsageError(f"{BASE_MODEL.flags[0]} is for the checkpoints' models, and none of the "
                                f"{len(checkpoints.checkpoints)} checkpoints holds weights or an adapter")
    return checkpoints, models
