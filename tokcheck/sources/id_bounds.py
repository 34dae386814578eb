"""Bounds on the ids and sizes a tokenizer's files declare, checked before anything is sized by
them: an added token with id 10**12 made `set(range(base.length, tuned.length))` exhaust memory.
A real tokenizer's ids fit tokenizers' u32 and transformers' int32 tensors and stay near the
vocabulary (Llama 3 adds 256 specials to 128,000 entries; a model resized for padding, a multiple
of 64 rows), so an id past 2**31 or past 16 times the vocabulary is a damaged or hostile file."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tokcheck.errors import TokcheckUsageError

MAX_ID = 2**31 - 1
PER_ENTRY = 16
# Small vocabularies (a byte-level toy, a character set) still get room for a resized embedding.
SMALL_VOCABULARY = 4096


def id_limit(vocabulary: int) -> int:
    """The highest id (or vocab_size) a tokenizer with `vocabulary` model entries may declare."""
    return min(MAX_ID, PER_ENTRY * max(vocabulary, SMALL_VOCABULARY))


def check_ids(spec: str, vocabulary: int, declared: Iterable[tuple[str, Iterable[Any]]]) -> None:
    """Raise a one-line usage error for the first id out of bounds; `declared` gives each place in
    the files with the ids and sizes it holds: (where, values), e.g. the vocab's values."""
    limit = id_limit(vocabulary)
    for where, values in declared:
        ids = [value for value in values if type(value) is int]  # bools and other types: the shape checks own them
        if ids and (min(ids) < 0 or max(ids) > limit):  # min and max first: a vocabulary is 10**5 ids
            value = next(value for value in ids if value < 0 or value > limit)
            raise TokcheckUsageError(
                f"{spec}: {where} is {value}, outside 0..{limit:,} (at most {PER_ENTRY} x the vocabulary's "
                f"{vocabulary:,} entries, and below 2**31): a damaged or hostile file; tokcheck reads no further"
            )
