"""Tuned spec strings -> the checkpoints they name: a spec may be a glob
(``saves/run1/checkpoint-*``) or a training output directory whose ``checkpoint-N/`` folders
(HF Trainer, LLaMA-Factory, TRL) each hold a save, with or without tokenizer files of the
directory's own (the final save). Every checkpoint gets a short id that is stable from run to run
and usable with ``pytest -k`` (``checkpoint-1500``). Touches the file system only to list names.

A checkpoint folder without tokenizer files of its own (a Trainer run without a processing
class saves weights only) has nothing of its own that can drift: it is listed as such, not
checked, and not mistaken for its parent's or the base's tokenizer."""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass, field
from pathlib import Path

from tokcheck.errors import TokcheckUsageError
from tokcheck.sources.files import TOKENIZER_FILES

_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")
_GLOB = re.compile(r"[*?[]")
_NOT_IN_AN_ID = re.compile(r"[^\w.-]+")


@dataclass(frozen=True)
class NamedSpec:
    """One tuned checkpoint: its id in test names and reports, and its spec as the user would give it."""

    id: str
    spec: str
    relative_to: Path | None = None


@dataclass
class TunedSpecs:
    """Every tuned checkpoint the given specs name, in run order, and the checkpoint folders
    left out because they hold no tokenizer files."""

    checkpoints: list[NamedSpec] = field(default_factory=list)
    without_tokenizer: list[str] = field(default_factory=list)


def _natural(text: str) -> tuple[object, ...]:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def has_tokenizer_files(path: Path) -> bool:
    return path.is_dir() and any((path / name).is_file() for name in TOKENIZER_FILES)


def checkpoint_folders(path: Path) -> list[Path]:
    """The checkpoint-N folders of a training output directory, by step."""
    if not path.is_dir():
        return []
    found = [child for child in path.iterdir() if child.is_dir() and _CHECKPOINT.match(child.name)]
    return sorted(found, key=lambda child: int(_CHECKPOINT.match(child.name).group(1)))  # type: ignore[union-attr]


def _short_id(spec: str) -> str:
    tail = spec.rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1]
    tail = tail.split(":", 1)[-1]  # zoo:NAME -> NAME
    return _NOT_IN_AN_ID.sub("-", tail).strip("-") or "tuned"


def _joined(spec: str, child: Path, parent: Path) -> str:
    """The spec of a folder found under a spec, spelled from the spec as the user gave it."""
    return str(Path(spec) / child.relative_to(parent))


def _expand_one(spec: str, relative_to: Path | None, found: TunedSpecs) -> list[tuple[str, str]]:
    """(spec, id hint) for every checkpoint one spec names."""
    stripped = spec.strip()
    if _GLOB.search(stripped) and not stripped.startswith("zoo:"):
        pattern = Path(stripped).expanduser()
        absolute = pattern if pattern.is_absolute() or relative_to is None else relative_to / pattern
        matches = sorted(glob.glob(str(absolute)), key=_natural)
        if not matches:
            raise TokcheckUsageError(f"{spec}: matches no file or directory")
        named: list[tuple[str, str]] = []
        for match in matches:
            path = Path(match)
            shown = str(path.relative_to(relative_to)) if relative_to is not None and not pattern.is_absolute() \
                and path.is_relative_to(relative_to) else match
            if path.is_dir() and not has_tokenizer_files(path) and not checkpoint_folders(path):
                found.without_tokenizer.append(shown)
                continue
            named += _expand_one(shown, relative_to, found)
        return named
    path = Path(stripped).expanduser()
    if relative_to is not None and not path.is_absolute():
        path = relative_to / path
    folders = checkpoint_folders(path)
    if not folders:
        return [(stripped, _short_id(stripped))]
    named = []
    for folder in folders:
        if has_tokenizer_files(folder):
            named.append((_joined(stripped, folder, path), folder.name))
        else:
            found.without_tokenizer.append(_joined(stripped, folder, path))
    if has_tokenizer_files(path):  # the final save, next to its checkpoints
        named.append((stripped, _short_id(stripped)))
    if not named:
        raise TokcheckUsageError(
            f"{spec}: neither it nor its checkpoint-N folders hold tokenizer files (expected tokenizer.json, "
            "tokenizer_config.json or tokenizer.model)"
        )
    return named


def _unique(ids: list[str], specs: list[str]) -> list[str]:
    """Ids made unique: a clash is told apart by the parent folder's name, then by a number."""
    counts: dict[str, int] = {}
    for name in ids:
        counts[name] = counts.get(name, 0) + 1
    result = []
    for name, spec in zip(ids, specs):
        if counts[name] > 1:
            parent = Path(spec.rstrip("/\\")).parent.name
            name = f"{_NOT_IN_AN_ID.sub('-', parent)}-{name}" if parent else name
        result.append(name)
    seen: dict[str, int] = {}
    final = []
    for name in result:
        seen[name] = seen.get(name, 0) + 1
        final.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return final


def expand_tuned(specs: list[tuple[str, Path | None]]) -> TunedSpecs:
    """The checkpoints that the tuned specs (each with the directory it is relative to) name."""
    found = TunedSpecs()
    named: list[tuple[str, str, Path | None]] = []
    seen: set[tuple[str, Path | None]] = set()
    for spec, relative_to in specs:
        for expanded, hint in _expand_one(spec, relative_to, found):
            if (expanded, relative_to) not in seen:  # a glob and a directory may name one twice
                seen.add((expanded, relative_to))
                named.append((expanded, hint, relative_to))
    ids = _unique([hint for _, hint, _ in named], [spec for spec, _, _ in named])
    found.checkpoints = [NamedSpec(id_, spec, relative_to) for id_, (spec, _, relative_to) in zip(ids, named)]
    return found
