"""Where tokcheck may write: its own cache directory, never inside a base, tuned or model directory."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

CACHE_ENV = "TOKCHECK_CACHE_DIR"
NO_ENCODING_CACHE_ENV = "TOKCHECK_NO_ENCODING_CACHE"  # set (1/true): the base's encodings are not kept on disk
# The most the base's encodings may take on disk; past it the least recently used entries go.
ENCODING_CACHE_MAX_ENV = "TOKCHECK_ENCODING_CACHE_MAX_MIB"
DEFAULT_ENCODING_CACHE_MAX_MIB = 1024  # zoo:llama3's whole default suite takes about 21 MiB


def user_cache_dir() -> Path:
    """$TOKCHECK_CACHE_DIR, else $XDG_CACHE_HOME/tokcheck, else ~/.cache/tokcheck."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tokcheck"


def is_inside(path: Path, directory: Path) -> bool:
    """Whether `path` is `directory` or lies below it (both resolved, so links cannot hide it)."""
    path, directory = path.resolve(), directory.resolve()
    return path == directory or directory in path.parents


def source_holding(path: Path, sources: Iterable[Path]) -> Path | None:
    """The first of `sources` that `path` lies in, or None: the one guard every place that writes
    (golden files, pytest's cache) uses, so tokcheck never writes into a user's checkpoint."""
    return next((source for source in sources if is_inside(path, source)), None)
