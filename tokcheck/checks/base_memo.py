"""The base side's results that do not depend on the tuned side, kept for every pair of a run
over many checkpoints (plain Python: the plugin makes one when pytest starts). An entry is found
by a key and the very inputs it was made from, compared whole, so a hash collision or inputs
that changed can never hand back another batch's results."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


class BaseMemo:
    def __init__(self, disk: Any = None, *, remember: bool = True) -> None:
        self.disk = disk  # an EncodingCache, or None: where the base's encodings outlive the run
        self.remember = remember  # False for one pair: nothing asks twice, only `disk` is wanted
        self._entries: dict[tuple[Hashable, int], tuple[Sequence[Any], Any, Any]] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, inputs: Sequence[Any], make: Callable[[], T], *, owner: Any = None) -> T:
        """`make()`, or what it gave before for the same key and equal inputs. `owner` (the
        tokenizer the key names by id) is kept alive with the entry, so its id is never reused."""
        full = (key, hash(tuple(inputs)))
        found = self._entries.get(full)
        if found is not None and found[0] == inputs:
            self.hits += 1
            return found[1]
        self.misses += 1
        value = make()
        if self.remember:
            self._entries[full] = (list(inputs), value, owner)
        return value
