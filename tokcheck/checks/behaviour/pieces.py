"""Token pieces: which part of the decoded text each id of a counterexample covers, its token
name, and whether it is a special (added or role) token, so that reports can draw token boxes
aligned on character offsets. Plain data out: {"ids", "tokens", "pieces", "special"}."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tokcheck.checks.behaviour.batch_codecs import Codec
from tokcheck.live_tokenizer import LiveTokenizer

# What names a counterexample's tokens: a live tokenizer, or a codec of the view it was found in.
TokenNamer = LiveTokenizer | Codec
MAX_PIECES = 256  # ids drawn per side; a longer list is cut (the JSON keeps every id in base/tuned)


def _decode_many(tokenizer: TokenNamer, id_lists: list[list[int]]) -> list[str]:
    """Decode several id lists with specials kept, through a batch codec or a transformers tokenizer."""
    if hasattr(tokenizer, "batch_decode"):
        return [str(text) for text in tokenizer.batch_decode(id_lists, skip_special_tokens=False,
                                                             clean_up_tokenization_spaces=False)]
    return [str(text) for text in tokenizer.decode(id_lists, skip_special_tokens=False)]


def _special_ids(tokenizer: TokenNamer) -> set[int]:
    found = getattr(tokenizer, "special_ids", None)
    if isinstance(found, set):
        return found
    ids = set(getattr(tokenizer, "added_tokens_decoder", {}) or {})
    return ids | {i for i in getattr(tokenizer, "all_special_ids", []) or [] if isinstance(i, int)}


def token_pieces(tokenizer: TokenNamer, ids: Sequence[int]) -> dict[str, Any] | None:
    """The piece of decoded text each id adds (decode of the first k+1 ids minus that of the first
    k, else the id decoded alone), with token names and special flags; None when the tokenizer
    cannot say (the report then shows the ids without boxes)."""
    shown = [int(i) for i in ids[:MAX_PIECES]]
    try:
        prefixes = _decode_many(tokenizer, [shown[:k] for k in range(len(shown) + 1)])
        alone = _decode_many(tokenizer, [[i] for i in shown])
        names = [str(name) for name in tokenizer.convert_ids_to_tokens(shown)]
        special = _special_ids(tokenizer)
    except Exception:  # the boxes are presentation only: an id a side cannot decode leaves them out
        return None
    pieces = []
    for k in range(len(shown)):
        before, after = prefixes[k], prefixes[k + 1]
        pieces.append(after[len(before):] if after.startswith(before) else alone[k])
    return {"ids": shown, "tokens": names, "pieces": pieces, "special": [i in special for i in shown],
            "cut": len(ids) - len(shown)}
