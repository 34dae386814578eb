"""The zoo's namespace: which names exist, what each one is, and how it is made (a base from a data
package, or a mutant that edits a copy of another entry)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tokcheck.errors import TokcheckUsageError

# Modules that each define ENTRIES: list[ZooEntry]. The drift mutants add their module here.
CATALOG_MODULES: tuple[str, ...] = ("tokcheck.zoo.bases", "tokcheck.zoo.mutants", "tokcheck.zoo.gguf.catalog")


@dataclass(frozen=True)
class ZooEntry:
    """One zoo tokenizer.

    A base (``base is None``): ``make(dest)`` writes the whole directory into the empty ``dest``.
    A mutant (``base`` names another entry): ``dest`` already holds a copy of the base when
    ``make(dest)`` runs, and ``make`` edits it in place, e.g.::

        ZooEntry(name="llama3-eom", base="llama3", version="1", make=add_eom_like_llamafactory,
                 description="Llama 3.0 with <|eom_id|> added as id 128256 (LLaMA-Factory)")

    ``version`` is part of the cache key: bump it whenever ``make`` writes something different.
    ``packages`` are the distributions whose files ``make`` reads; their versions key the cache
    too, and a missing one is a usage error that names it."""

    name: str
    description: str
    make: Callable[[Path], None]
    version: str
    packages: tuple[str, ...] = ()
    base: str | None = None


_entries: dict[str, ZooEntry] | None = None


def _load() -> dict[str, ZooEntry]:
    global _entries
    if _entries is None:
        loaded: dict[str, ZooEntry] = {}
        for module_name in CATALOG_MODULES:
            for entry in importlib.import_module(module_name).ENTRIES:
                _add(loaded, entry)
        _entries = loaded
    return _entries


def _add(entries: dict[str, ZooEntry], entry: ZooEntry) -> None:
    if entry.name in entries:
        raise ValueError(f"zoo name {entry.name!r} is registered twice")
    if entry.base is not None and entry.base not in entries:
        raise ValueError(
            f"zoo entry {entry.name!r} derives from {entry.base!r}, which is not registered before it"
        )
    entries[entry.name] = entry


def register(entry: ZooEntry) -> None:
    """Add an entry at run time (for plugins and tests; the catalog modules are the usual home)."""
    _add(_load(), entry)


def unregister(name: str) -> None:
    """Remove an entry added with ``register`` (tests use it to leave the namespace as found)."""
    _load().pop(name, None)


def names() -> list[str]:
    """Every zoo name, sorted."""
    return sorted(_load())


def entry(name: str) -> ZooEntry:
    """The entry called ``name``; an unknown name is a usage error listing the known ones."""
    entries = _load()
    if name not in entries:
        raise TokcheckUsageError(f"unknown zoo tokenizer {name!r}; known: {', '.join(sorted(entries))}")
    return entries[name]


def lineage(name: str) -> list[ZooEntry]:
    """The entry and the entries it derives from, the root base first."""
    chain = [entry(name)]
    while chain[-1].base is not None:
        chain.append(entry(chain[-1].base))
    return chain[::-1]


def describe(name: str) -> str:
    """One line saying what ``zoo:name`` is."""
    found = entry(name)
    if found.base is None:
        return found.description
    return f"{found.description} (mutant of zoo:{found.base})"
