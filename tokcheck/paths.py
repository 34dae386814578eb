"""Where tokcheck may write: its own cache directory, never a base, tuned or model directory."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "TOKCHECK_CACHE_DIR"


def user_cache_dir() -> Path:
    """$TOKCHECK_CACHE_DIR, else $XDG_CACHE_HOME/tokcheck, else ~/.cache/tokcheck."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tokcheck"
