"""One comparison of a base and a tuned tokenizer: sources, snapshots, the static findings and the
live tokenizers, each made once and on first use. Knows nothing of pytest; the plugin and the CLI
share it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from tokcheck.errors import TokcheckUsageError
from tokcheck.findings import Finding, Severity
from tokcheck.loading import TokenizerSource, load_tokenizer_noting_fallback, resolve
from tokcheck.report import ReportContext
from tokcheck.snapshot import TokenizerSnapshot, take_snapshot


@dataclass(frozen=True)
class SpecSetting:
    """A spec string and the directory a relative path in it is relative to (an ini file's)."""

    spec: str
    relative_to: Path | None = None


@dataclass(frozen=True)
class Settings:
    base: SpecSetting | None
    tuned: SpecSetting | None
    trust_remote_code: bool = False
    allow_download: bool = False
    strict: bool = False
    accept: tuple[str, ...] = ()  # patterns of findings the user accepts (tokcheck.accept)


@dataclass(frozen=True)
class TokenizerPair:
    """Live base and tuned tokenizers, with the sources they were loaded from."""

    base: Any
    tuned: Any
    base_source: TokenizerSource
    tuned_source: TokenizerSource

    def __repr__(self) -> str:  # the tokenizers' own reprs run to pages in a traceback
        return f"TokenizerPair(base={self.base_source.spec!r}, tuned={self.tuned_source.spec!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # Hypothesis prints dataclasses field by field
        printer.text(repr(self))


class Side:
    """One side (base or tuned): its source, snapshot and live tokenizer."""

    def __init__(self, name: str, setting: SpecSetting, settings: Settings) -> None:
        self.name = name
        self.settings = settings
        self.counterpart: Side | None = None  # the other side of the pair
        self._loading = False
        self.source: TokenizerSource = resolve(
            setting.spec, relative_to=setting.relative_to, allow_download=settings.allow_download
        )

    @cached_property
    def snapshot(self) -> TokenizerSnapshot:
        return take_snapshot(self.source, trust_remote_code=self.settings.trust_remote_code)

    @cached_property
    def _loaded(self) -> tuple[Any, str | None]:
        self._loading = True
        try:
            tokenizer, problem = load_tokenizer_noting_fallback(self.source, trust_remote_code=self.settings.trust_remote_code)
            if problem is not None:
                self._adopt_unsaved_sides(tokenizer)
            return tokenizer, problem
        finally:
            self._loading = False

    def _adopt_unsaved_sides(self, tokenizer: Any) -> None:
        """A tokenizer read from tokenizer.json directly gets the generic class's padding and
        truncation sides, where the class it was saved as (unknown to this transformers) may have
        its own. Sides its files do not set are taken from the other side when that one loads as
        saved, so the fallback itself reports no padding drift; sides the files set are kept."""
        other = self.counterpart
        if other is None or other._loading or other._loaded[1] is not None:
            return
        for key in ("padding_side", "truncation_side"):
            if key not in self.snapshot.tokenizer_config and hasattr(other.tokenizer, key):
                setattr(tokenizer, key, getattr(other.tokenizer, key))

    @property
    def tokenizer(self) -> Any:
        return self._loaded[0]

    @property
    def load_findings(self) -> list[Finding]:
        """A warning when the installed transformers could not load this side as saved."""
        problem = self._loaded[1]
        if problem is None:
            return []
        from importlib.metadata import version

        return [
            Finding(
                "loading",
                "loading.not-loadable-as-saved",
                Severity.WARNING,
                f"transformers {version('transformers')} cannot load {self.name} as saved ({problem}); tokcheck read "
                "its tokenizer.json directly with the roles and template its files name (padding and truncation "
                "sides they do not set: the other side's), so consumers on this transformers version fail where "
                "the checks here still run",
                where=f"{self.source.spec}: tokenizer_config.json",
                fix="save it with the transformers major its consumers use; for a transformers 5 save read by "
                "4.x, set tokenizer_class to one 4.x knows (the base's keeps its padding side; "
                "'PreTrainedTokenizerFast' pads right) and extra_special_tokens (a list) to additional_special_tokens",
            )
        ]


class TokcheckSession:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.base = Side("base", settings.base, settings) if settings.base else None
        self.tuned = Side("tuned", settings.tuned, settings) if settings.tuned else None
        if self.base is not None and self.tuned is not None:
            self.base.counterpart, self.tuned.counterpart = self.tuned, self.base
        # Settings other parts report in the header (e.g. the Hypothesis seed and profile).
        self.report_settings: dict[str, str] = {}

    @property
    def has_pair(self) -> bool:
        return self.base is not None and self.tuned is not None

    def validate(self) -> None:
        """Read every file now, so that bad input is a usage error before any test runs."""
        for side in (self.base, self.tuned):
            if side is not None:
                side.snapshot  # noqa: B018 - parsing is the validation

    def pair(self) -> tuple[Side, Side]:
        if self.base is None or self.tuned is None:
            raise TokcheckUsageError("this needs both a base and a tuned tokenizer")
        return self.base, self.tuned

    @cached_property
    def static(self) -> dict[str, list[Finding]]:
        from tokcheck.diff import static_findings

        base, tuned = self.pair()
        return static_findings(base.snapshot, tuned.snapshot)

    def context(self) -> ReportContext:
        sides = {side.name: side.source.describe() for side in (self.base, self.tuned) if side is not None}
        return ReportContext(sides=sides, settings=dict(self.report_settings), strict=self.settings.strict)
