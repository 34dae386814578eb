"""The golden-file part of the plugin: `pytest --tuned Y --tokcheck-golden DIR` records Y's
behaviour the first time (and fails, saying so), compares it on later runs, and
`--tokcheck-update-golden` rewrites the files (and still fails, so nothing is accepted silently)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from tokcheck.errors import TokcheckUsageError
from tokcheck.plugin.options import GOLDEN, GOLDEN_OPTION, UPDATE_GOLDEN, UPDATE_GOLDEN_OPTION, option_or_ini
from tokcheck.plugin.verdict import Verdict
from tokcheck.session import Side, TokcheckSession

if TYPE_CHECKING:
    from tokcheck.checks.golden import GoldenFiles


@dataclass(frozen=True)
class GoldenRun:
    """The golden directory, which side it records, and whether to rewrite it."""

    files: GoldenFiles
    side: Side
    update: bool

    def check(self, kind: str, verdict: Verdict) -> None:
        tokenizer = self.side.tokenizer
        spec = self.side.source.spec
        if self.update or not self.files.has(kind):
            recorded = self.files.record(kind, tokenizer, spec)
            pytest.fail(
                f"{'updated' if recorded.replaced else 'created'} golden file {recorded.path} ({recorded.entries} "
                f"{kind} entries of {spec}); review it and rerun without {UPDATE_GOLDEN_OPTION} to compare",
                pytrace=False,
            )
        verdict.conclude(self.files.compare(kind, tokenizer))

    def describe(self) -> str:
        return f"{self.files.directory} ({self.side.source.spec})"


def read_golden(config: pytest.Config, session: TokcheckSession) -> GoldenRun | None:
    """The golden run --tokcheck-golden (or its ini key) asks for, or None."""
    setting = option_or_ini(config, GOLDEN)
    if setting is None:
        return None
    side = session.tuned or session.base
    if side is None:
        raise TokcheckUsageError(f"{GOLDEN_OPTION} needs a tokenizer to record: pass --tuned SPEC")
    # Here, not at the top: golden files bring the corpus and Hypothesis's transcript strategies.
    from tokcheck.checks.golden import GoldenFiles

    sources = {f"{side.name} tokenizer": side.source.directory for side in session.sides}
    files = GoldenFiles((setting[1] / setting[0]).resolve(), sources, label=f"{GOLDEN_OPTION} {setting[0]}")
    return GoldenRun(files, side, bool(config.getoption(UPDATE_GOLDEN.dest)))
