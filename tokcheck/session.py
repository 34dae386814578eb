"""One comparison of a base and a tuned tokenizer: the sources, snapshots and live tokenizers of
both sides, each made once and on first use, and reconciled in one place (what one side's
fallback load takes from the other). Knows nothing of pytest or of checks; the plugin, the CLI and
the checks share it."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from tokcheck.environment import library_version
from tokcheck.errors import TokcheckUsageError
from tokcheck.findings import Finding, Severity
from tokcheck.live_tokenizer import LiveTokenizer
from tokcheck.sources.live import LoadedTokenizer
from tokcheck.sources.snapshot import TokenizerSnapshot
from tokcheck.sources.snapshot_store import SnapshotStore
from tokcheck.sources.spec import TokenizerSource, resolve

# Settings a tokenizer class carries that a fallback load (the generic class) does not know.
CLASS_SIDES = ("padding_side", "truncation_side")


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
    accept: tuple[str, ...] = ()  # patterns of findings the user accepts (tokcheck.findings.apply_accepted)
    modelfile: SpecSetting | None = None  # --modelfile: the Ollama Modelfile to check (else found beside tuned)


@dataclass(frozen=True)
class TokenizerPair:
    """Live base and tuned tokenizers, with the sources they were loaded from."""

    # Any, not LiveTokenizer: the tokenizer_pair fixture hands users the whole transformers tokenizer.
    base: Any
    tuned: Any
    base_source: TokenizerSource
    tuned_source: TokenizerSource

    def __repr__(self) -> str:  # the tokenizers' own reprs run to pages in a traceback
        return f"TokenizerPair(base={self.base_source.spec!r}, tuned={self.tuned_source.spec!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # Hypothesis prints dataclasses field by field
        printer.text(repr(self))


class Side:
    """One side (base or tuned): its source, snapshot, the tokenizer as loaded, and the tokenizer
    as the checks use it (see TokcheckSession for how the two sides are reconciled).

    A side made with `shares` (the base of a run over many checkpoints) reads the files and
    loads the tokenizer of that side, once for all of them; only the reconciled tokenizer is its own.
    Its snapshot and loaded tokenizer come from `store` (the run's), which reads and loads the files
    unless it holds them already."""

    def __init__(self, name: str, setting: SpecSetting, settings: Settings, *, store: SnapshotStore,
                 shares: Side | None = None) -> None:
        self.name = name
        self.settings = settings
        self.store = store
        self.shares = shares
        self.source: TokenizerSource = shares.source if shares is not None else resolve(
            setting.spec, relative_to=setting.relative_to, allow_download=settings.allow_download
        )
        self.counterpart: Side | None = None  # set by the session

    @cached_property
    def snapshot(self) -> TokenizerSnapshot:
        if self.shares is not None:
            return self.shares.snapshot
        return self.store.snapshot(self.source, self.settings.trust_remote_code)

    @cached_property
    def loaded(self) -> LoadedTokenizer:
        """The tokenizer exactly as it loads, on its own: AutoTokenizer, or the fallback loader."""
        if self.shares is not None:
            return self.shares.loaded
        return self.store.loaded(self.source, self.settings.trust_remote_code)

    @cached_property
    def tokenizer(self) -> LiveTokenizer:
        """The live tokenizer the checks and fixtures use: `loaded`, reconciled with the other side."""
        return reconcile(self, self.counterpart)

    @property
    def load_findings(self) -> list[Finding]:
        """A warning when the installed transformers could not load this side as saved."""
        if self.loaded.approximate is not None:
            return [Finding("loading", "loading.approximate", Severity.INFO,
                            f"{self.name} is a GGUF; the behaviour checks run it {self.loaded.approximate}",
                            where=self.source.spec)]
        problem = self.loaded.fallback_reason
        if problem is None:
            return []
        return [
            Finding(
                "loading",
                "loading.not-loadable-as-saved",
                Severity.WARNING,
                f"transformers {library_version('transformers')} cannot load {self.name} as saved ({problem}); tokcheck "
                "read its tokenizer.json directly with the roles and template its files name (padding and truncation "
                "sides they do not set: the other side's), so consumers on this transformers version fail where "
                "the checks here still run",
                where=f"{self.source.spec}: tokenizer_config.json",
                fix="save it with the transformers major its consumers use; for a transformers 5 save read by "
                "4.x, set tokenizer_class to one 4.x knows (the base's keeps its padding side; "
                "'PreTrainedTokenizerFast' pads right) and extra_special_tokens (a list) to additional_special_tokens",
            )
        ]


def reconcile(side: Side, other: Side | None) -> LiveTokenizer:
    """The one place where one side's tokenizer depends on the other's. A tokenizer from the
    fallback loader gets the generic class's padding and truncation sides, where the class it was
    saved as (unknown to this transformers) may have its own; the sides its files leave unset are
    taken from the other side when that one loads as saved, so the fallback itself reports no
    padding drift. It reads only what each side loads on its own, so the result is the same
    whichever side is asked first."""
    tokenizer = side.loaded.tokenizer
    if side.loaded.fallback_reason is None or other is None or other.loaded.fallback_reason is not None:
        return tokenizer
    taken = {key: getattr(other.loaded.tokenizer, key) for key in CLASS_SIDES
             if key not in side.snapshot.tokenizer_config and hasattr(other.loaded.tokenizer, key)}
    if taken:
        tokenizer = copy.copy(tokenizer)  # the loaded one stays as loaded (a store may share it)
    for key, value in taken.items():
        setattr(tokenizer, key, value)
    return tokenizer


class TokcheckSession:
    """Both sides of one comparison. `base`, when given, is a side already made (the shared base
    of a run over many checkpoints): this session's base shares its files and loaded tokenizer.
    `store`: the run's snapshots and loaded tokenizers (a new one when not given: this session is the
    whole run)."""

    def __init__(self, settings: Settings, *, base: Side | None = None, store: SnapshotStore | None = None) -> None:
        self.settings = settings
        self.store = store if store is not None else base.store if base is not None else SnapshotStore()
        if base is not None:
            self.base: Side | None = Side("base", settings.base or SpecSetting(base.source.spec), settings,
                                          store=self.store, shares=base)
        else:
            self.base = Side("base", settings.base, settings, store=self.store) if settings.base else None
        self.tuned = Side("tuned", settings.tuned, settings, store=self.store) if settings.tuned else None
        if self.base is not None and self.tuned is not None:
            self.base.counterpart, self.tuned.counterpart = self.tuned, self.base

    @property
    def has_pair(self) -> bool:
        return self.base is not None and self.tuned is not None

    @property
    def sides(self) -> list[Side]:
        return [side for side in (self.base, self.tuned) if side is not None]

    def validate(self) -> None:
        """Read every file now, so that bad input is a usage error before any test runs."""
        for side in self.sides:
            side.snapshot  # noqa: B018 - parsing is the validation

    def pair(self) -> tuple[Side, Side]:
        if self.base is None or self.tuned is None:
            raise TokcheckUsageError("this needs both a base and a tuned tokenizer")
        return self.base, self.tuned

    def describe_sides(self) -> dict[str, str]:
        """"base" -> "spec (resolved path)", for report headers."""
        return {side.name: side.source.describe() for side in self.sides}

    def source_directories(self) -> list[Path]:
        """The directories tokcheck must never write into."""
        return [side.source.directory for side in self.sides]
