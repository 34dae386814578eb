"""Many tuned checkpoints against one base (a whole training run): one CheckedSession per
checkpoint, all sharing one base side (its files read and its tokenizer loaded once), and the
checkpoints whose tokenizer files are identical after canonicalisation grouped, so that only the
first of each group is checked and the others are reported as the same tokenizer."""

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
    """Every checkpoint of `tuned` against the base of `settings`, in the order given."""

    def __init__(self, settings: Settings, tuned: list[NamedSpec], without_tokenizer: tuple[str, ...] = (),
                 *, store: SnapshotStore | None = None) -> None:
        assert settings.base is not None and tuned
        self.settings = settings
        self.without_tokenizer = without_tokenizer
        self.store = store if store is not None else SnapshotStore()  # the base and every checkpoint's files
        self.base = Side("base", settings.base, settings, store=self.store)
        self.base_work = BaseMemo()  # the base's encodings, made once for every checkpoint
        self.checkpoints: list[Checkpoint] = []
        first_with: dict[str, str] = {}
        for named in tuned:
            spec = SpecSetting(named.spec, named.relative_to)
            session = CheckedSession(dataclasses.replace(settings, tuned=spec), base=self.base)
            assert session.tuned is not None
            fingerprint = self.store.fingerprint(session.tuned.source)
            self.checkpoints.append(Checkpoint(named.id, session, first_with.get(fingerprint)))
            first_with.setdefault(fingerprint, named.id)

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
        found = [self.base.source.directory]
        for checkpoint in self.checkpoints:
            assert checkpoint.session.tuned is not None
            directory = checkpoint.session.tuned.source.directory
            found.append(directory)
            if directory.name.startswith("checkpoint-"):
                found.append(directory.parent)
        return list(dict.fromkeys(found))

    def describe(self) -> dict[str, str]:
        """Report header lines: the base, then each checkpoint (or the one it is the same as)."""
        lines = {"base": self.base.source.describe()}
        for checkpoint in self.checkpoints:
            assert checkpoint.session.tuned is not None
            described = checkpoint.session.tuned.source.describe()
            if checkpoint.same_as is not None:
                described += f" (same tokenizer as {checkpoint.same_as})"
            lines[checkpoint.id] = described
        for folder in self.without_tokenizer:
            lines[folder] = "no tokenizer files of its own: not checked"
        return lines
