"""The tuned checkpoints of a run against one base: one CheckedSession per checkpoint. A single
pair is a run of one. Many (a whole training run) share one base side (its files read and its
tokenizer loaded once), and the checkpoints whose tokenizer files are identical after
canonicalisation are grouped, so that only the first of each group is checked and the others are
reported as the same tokenizer."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from tokcheck.checks.base_memo import BaseMemo
from tokcheck.checks.checked_session import CheckedSession
from tokcheck.session import Settings, Side, SpecSetting
from tokcheck.sources.checkpoints import NamedSpec
from tokcheck.sources.snapshot_store import SnapshotStore


@dataclass
class Checkpoint:
    """One tuned checkpoint: its id (in test names and reports), its session, and the id of the
    earlier checkpoint whose tokenizer it has (None: it is checked itself)."""

    id: str
    session: CheckedSession
    same_as: str | None = None

    @property
    def checked(self) -> bool:
        return self.same_as is None


class CheckpointRun:
    """The tuned checkpoints of one run against one base, in the order given. One tuned tokenizer
    is a run of one checkpoint (`of_pair`); several (repeated --tuned, a glob, a training output
    directory) share one base side and the base's work (`of_checkpoints`)."""

    PAIR_ID = "tuned"  # the one checkpoint of a pair, named as its side is

    def __init__(self, settings: Settings, checkpoints: list[Checkpoint], *, base_work: BaseMemo | None = None,
                 without_tokenizer: tuple[str, ...] = ()) -> None:
        assert checkpoints
        self.settings = settings
        self.checkpoints = checkpoints
        self.base_work = base_work  # the base's encodings, made once for every checkpoint (None: one pair)
        self.without_tokenizer = without_tokenizer  # checkpoint folders without tokenizer files

    @classmethod
    def of_pair(cls, session: CheckedSession) -> CheckpointRun:
        """One tuned tokenizer against its base (either side may be missing: one-sided golden runs)."""
        return cls(session.settings, [Checkpoint(cls.PAIR_ID, session)])

    @classmethod
    def of_checkpoints(cls, settings: Settings, tuned: list[NamedSpec], without_tokenizer: tuple[str, ...] = (),
                       *, store: SnapshotStore | None = None) -> CheckpointRun:
        """Every checkpoint of `tuned` against the base of `settings`, the base read once; a
        checkpoint whose tokenizer files equal an earlier one's is that one's (`same_as`)."""
        assert settings.base is not None and tuned
        store = store if store is not None else SnapshotStore()  # the base and every checkpoint's files
        base = Side("base", settings.base, settings, store=store)
        checkpoints: list[Checkpoint] = []
        first_with: dict[str, str] = {}
        for named in tuned:
            spec = SpecSetting(named.spec, named.relative_to)
            session = CheckedSession(dataclasses.replace(settings, tuned=spec), base=base)
            assert session.tuned is not None
            fingerprint = store.fingerprint(session.tuned.source)
            checkpoints.append(Checkpoint(named.id, session, first_with.get(fingerprint)))
            first_with.setdefault(fingerprint, named.id)
        return cls(settings, checkpoints, base_work=BaseMemo(), without_tokenizer=without_tokenizer)

    @property
    def several(self) -> bool:
        """More than one checkpoint (or folders without a tokenizer): the report is a matrix."""
        return len(self.checkpoints) > 1 or bool(self.without_tokenizer)

    @property
    def base(self) -> Side | None:
        return self.checkpoints[0].session.base

    @property
    def has_pair(self) -> bool:
        return self.checkpoints[0].session.has_pair

    @cached_property
    def by_id(self) -> dict[str, Checkpoint]:
        return {checkpoint.id: checkpoint for checkpoint in self.checkpoints}

    @property
    def checked(self) -> list[Checkpoint]:
        """The checkpoints whose tokenizers are checked: the first of each group of identical ones."""
        return [checkpoint for checkpoint in self.checkpoints if checkpoint.checked]

    def ids(self) -> list[str]:
        return [checkpoint.id for checkpoint in self.checkpoints]

    def groups(self) -> dict[str, list[str]]:
        """The id of each checked checkpoint -> the ids that have the same tokenizer (itself first)."""
        groups: dict[str, list[str]] = {}
        for checkpoint in self.checkpoints:
            groups.setdefault(checkpoint.same_as or checkpoint.id, []).append(checkpoint.id)
        return groups

    def validate(self) -> None:
        """Read the files of the base and of every checked checkpoint now (bad input: a usage error)."""
        for checkpoint in self.checked:
            checkpoint.session.validate()

    def source_directories(self) -> list[Path]:
        """The directories tokcheck must never write into: the base's, every checkpoint's, and the
        training output directory that holds checkpoint-N folders."""
        found = [self.base.source.directory] if self.base is not None else []
        for checkpoint in self.checkpoints:
            if checkpoint.session.tuned is None:
                continue
            directory = checkpoint.session.tuned.source.directory
            found.append(directory)
            if directory.name.startswith("checkpoint-"):
                found.append(directory.parent)
        return list(dict.fromkeys(found))

    def describe(self) -> dict[str, str]:
        """Report header lines: the base, then each checkpoint (or the one it is the same as); for
        a pair, "base" and "tuned"."""
        lines = {"base": self.base.source.describe()} if self.base is not None else {}
        for checkpoint in self.checkpoints:
            if checkpoint.session.tuned is None:
                continue
            described = checkpoint.session.tuned.source.describe()
            if checkpoint.same_as is not None:
                described += f" (same tokenizer as {checkpoint.same_as})"
            lines[checkpoint.id] = described
        for folder in self.without_tokenizer:
            lines[folder] = "no tokenizer files of its own: not checked"
        return lines
