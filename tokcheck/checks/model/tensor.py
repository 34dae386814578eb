"""The Tensor record: one tensor of a weight file as its header (or torch) describes it. A leaf,
so that the modules reading weight files and rows share it without importing each other."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Tensor:
    """A tensor in a weight file: `offset` is its first byte in a safetensors file, None in a torch
    file; `values`: a torch file's tensor as torch loaded it (memory-mapped, so only the rows read are
    paged in), held by the record so that each run's model files load their torch files once."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    file: Path
    offset: int | None = None
    values: Any = field(default=None, compare=False, repr=False)

    @property
    def rows(self) -> int:
        return self.shape[0]

    @property
    def columns(self) -> int:
        return self.shape[1] if len(self.shape) > 1 else 1

    def where(self, root: Path) -> str:
        try:
            shown = self.file.relative_to(root)
        except ValueError:
            shown = self.file
        return f"{shown}: {self.name}"
