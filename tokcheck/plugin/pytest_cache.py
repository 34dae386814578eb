"""Keeping pytest's own cache out of the user's checkpoints: pytest takes existing paths among the
arguments, option values included, as candidates for its rootdir and writes .pytest_cache there;
with `--tuned /x/ckpt` that is the checkpoint itself, with two far-apart paths the filesystem root."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tokcheck.paths import is_inside, source_holding, user_cache_dir


def keep_pytest_cache_out_of(config: pytest.Config, sources: list[Path]) -> None:
    """Put the cache where pytest would have put it without our option values (the invocation
    directory), and never inside a source (then in tokcheck's own cache directory)."""
    cache = getattr(config, "cache", None)
    if cache is None:  # -p no:cacheprovider
        return
    cache_name = os.path.expandvars(config.getini("cache_dir"))
    target = (config.rootpath / cache_name).resolve()
    rootdir_from_our_paths = config.inipath is None and any(is_inside(source, config.rootpath) for source in sources)
    if rootdir_from_our_paths:
        target = (config.invocation_params.dir / cache_name).resolve()
    if source_holding(target, sources) is not None:
        target = user_cache_dir() / "pytest-cache" / hashlib.sha256(str(target).encode()).hexdigest()[:16]
    if target != (config.rootpath / cache_name).resolve():
        config.cache = type(cache)(target, config, _ispytest=True)
