"""Both sides' editable files, parsed once: JSON files as dicts and templates as text. Edits change
tuned's parsed copies only; `changed` lists the files to write, and `log` says what changed, per
file, and which finding codes each change answers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ABSENT: Any = object()  # a key or file one side does not have


@dataclass
class Change:
    file: str  # relative to the checkpoint directory
    what: str
    codes: list[str] = field(default_factory=list)


class SideFiles:
    """One side's files, read-only: `directory` (the tokenizer) and `model` (the model directory's
    configs, which may be the same directory). Names are paths relative to `directory`."""

    def __init__(self, directory: Path, model: Path | None = None, model_prefix: str = "") -> None:
        self.directory = directory
        self.model = model or directory
        self.model_prefix = model_prefix  # names under it are the model directory's ("model/config.json")
        self._cache: dict[str, Any] = {}

    def path(self, name: str) -> Path:
        if self.model_prefix and name.startswith(self.model_prefix):
            return self.model / name[len(self.model_prefix):]
        return self.directory / name

    def json(self, name: str) -> Any:
        """The parsed JSON file, or ABSENT."""
        if name not in self._cache:
            path = self.path(name)
            self._cache[name] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else ABSENT
        return self._cache[name]

    def text(self, name: str) -> str | None:
        path = self.path(name)
        return path.read_text(encoding="utf-8") if path.is_file() else None


class TunedFiles(SideFiles):
    """Tuned's files with the edits applied in memory. Nothing is written here (tokcheck.fix.writer does, under OUT)."""

    def __init__(self, directory: Path, model: Path | None = None, model_prefix: str = "") -> None:
        super().__init__(directory, model, model_prefix)
        self.edited: dict[str, Any] = {}  # name -> new parsed JSON, new text (str), or ABSENT (removed)
        self.copied: dict[str, Path] = {}  # name -> a base file copied over it
        self.log: list[Change] = []

    def json(self, name: str) -> Any:
        if name in self.edited:
            return self.edited[name]
        return super().json(name)

    def text(self, name: str) -> str | None:
        if name in self.edited:
            value = self.edited[name]
            return None if value is ABSENT else value
        return super().text(name)

    def editable(self, name: str) -> Any:
        """The parsed JSON of `name` to change in place (a copy made the first time), or ABSENT."""
        if name not in self.edited:
            value = super().json(name)
            self.edited[name] = json.loads(json.dumps(value)) if value is not ABSENT else ABSENT
        return self.edited[name]

    def set_text(self, name: str, text: str | None) -> None:
        self.edited[name] = ABSENT if text is None else text

    def set_json(self, name: str, value: Any) -> None:
        self.edited[name] = value

    def copy_from(self, name: str, source: Path) -> None:
        self.copied[name] = source

    def record(self, name: str, what: str, code: str) -> None:
        """Log a change, merged with the same change made for another finding."""
        for change in self.log:
            if change.file == name and change.what == what:
                if code not in change.codes:
                    change.codes.append(code)
                return
        self.log.append(Change(name, what, [code]))

    def original_json(self, name: str) -> Any:
        return SideFiles.json(self, name)

    def original_text(self, name: str) -> str | None:
        return SideFiles.text(self, name)

    def changed(self) -> dict[str, Any]:
        """name -> what to write (parsed JSON, text, or ABSENT to leave it out), edits that changed something only."""
        out = {}
        for name, value in self.edited.items():
            original = self.original_json(name) if name.endswith(".json") else self.original_text(name)
            if value is not original and value != original:
                out[name] = value
        return out
