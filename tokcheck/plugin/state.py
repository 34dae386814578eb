"""What one pytest run of tokcheck is, decided once when pytest starts: the session (both sides),
the behaviour settings, the golden run and the model files, built in that order, in one place. The
collection, the reporter and the fixtures read it from the config's stash."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from tokcheck.checks.behaviour.settings import BehaviourSettings
from tokcheck.checks.checked_session import CheckedSession
from tokcheck.plugin.behaviour import read_settings
from tokcheck.plugin.golden import GoldenRun, read_golden
from tokcheck.plugin.model import report_settings, resolve_models
from tokcheck.plugin.options import (
    ACCEPT,
    ALLOW_DOWNLOAD,
    BASE,
    BASE_OPTION,
    GOLDEN,
    NO_SUITE,
    STRICT,
    TRUST_REMOTE_CODE,
    TUNED,
    TUNED_OPTION,
    Option,
    ini_value,
    option_or_ini,
)
from tokcheck.report.context import ReportContext, content_hash
from tokcheck.session import Settings, SpecSetting

if TYPE_CHECKING:
    from tokcheck.checks.model.inspection import ModelPair


@dataclass(frozen=True)
class PluginRun:
    session: CheckedSession
    behaviour: BehaviourSettings
    golden: GoldenRun | None
    models: ModelPair | None
    from_flags: bool  # the pair (or the golden side) was given on the command line
    one_sided: bool  # --tokcheck-golden with one tokenizer: the pair checks do not apply
    no_suite: bool

    @property
    def suite_wanted(self) -> bool:
        return (self.session.has_pair or (self.one_sided and self.from_flags)) and not self.no_suite

    def report_context(self) -> ReportContext:
        settings: dict[str, str] = {}
        if self.session.has_pair:
            settings.update(self.behaviour.header())
        if self.models is not None:
            settings.update(report_settings(self.models))
        if self.golden is not None:
            settings["golden"] = self.golden.describe()
        hashes = {side.name: content_hash(side.source) for side in self.session.sides} if self.session.has_pair else {}
        return ReportContext(sides=self.session.describe_sides(), settings=settings, strict=self.session.settings.strict,
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


def read_session_settings(config: pytest.Config) -> tuple[Settings, bool]:
    """Settings from flags and ini keys, and whether the pair was given on the command line."""
    base, base_flag = _spec(config, BASE)
    tuned, tuned_flag = _spec(config, TUNED)
    assert STRICT.ini is not None and ACCEPT.ini is not None
    settings = Settings(
        base=base,
        tuned=tuned,
        trust_remote_code=config.getoption(TRUST_REMOTE_CODE.dest),
        allow_download=config.getoption(ALLOW_DOWNLOAD.dest),
        strict=config.getoption(STRICT.dest) or bool(ini_value(config, STRICT.ini)[0]),
        accept=(*ini_value(config, ACCEPT.ini)[0], *config.getoption(ACCEPT.dest)),
    )
    return settings, base_flag or tuned_flag


def configure_run(config: pytest.Config) -> PluginRun:
    """Everything this run needs, in order; bad input raises TokcheckUsageError (or pytest's)."""
    settings, from_flags = read_session_settings(config)
    one_sided = bool(config.getoption(GOLDEN.dest))
    if from_flags and not one_sided and (settings.base is None) != (settings.tuned is None):
        given, missing = (BASE_OPTION, TUNED_OPTION) if settings.tuned is None else (TUNED_OPTION, BASE_OPTION)
        raise pytest.UsageError(f"{given} needs {missing} too: tokcheck compares a tuned tokenizer with its base")
    session = CheckedSession(settings)
    session.validate()
    return PluginRun(
        session=session,
        behaviour=read_settings(config),
        golden=read_golden(config, session),
        models=resolve_models(config, session),
        from_flags=from_flags,
        one_sided=one_sided,
        no_suite=bool(config.getoption(NO_SUITE.dest)),
    )
