"""Byte-level BPE from tiktoken-style ranks: the GPT-2 byte alphabet and the two merge layouts
(all splits with ``ignore_merges``, as Llama 3 and tekken ship; one merge per token, as Qwen2 ships)."""

from __future__ import annotations

import json
from functools import lru_cache

from tokenizers import Tokenizer, decoders


@lru_cache(maxsize=1)
def byte_alphabet() -> tuple[str, ...]:
    """GPT-2's byte -> printable character table, indexed by byte value.

    Written out here rather than imported from transformers because its home moved between
    transformers 4.x and 5.x; the table itself is fixed by every byte-level tokenizer.json."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
    printable += list(range(ord("®"), ord("ÿ") + 1))
    chars: dict[int, str] = {b: chr(b) for b in printable}
    shifted = 0
    for b in range(256):
        if b not in chars:
            chars[b] = chr(256 + shifted)
            shifted += 1
    return tuple(chars[b] for b in range(256))


def token_string(token: bytes) -> str:
    """The tokenizer.json spelling of a byte string."""
    alphabet = byte_alphabet()
    return "".join(alphabet[b] for b in token)


def merges_all_splits(ranks: dict[bytes, int]) -> list[tuple[str, str]]:
    """Every split of every token into two tokens, ordered by the merged token's rank, then by the
    parts' ranks: the layout of transformers' TikTokenConverter (280,147 merges for Llama 3).

    Only correct together with ``ignore_merges=True``, which is how the official files use it."""
    merges: list[tuple[int, int, int, bytes, bytes]] = []
    for token, rank in ranks.items():
        for cut in range(1, len(token)):
            left, right = token[:cut], token[cut:]
            left_rank, right_rank = ranks.get(left), ranks.get(right)
            if left_rank is not None and right_rank is not None:
                merges.append((rank, left_rank, right_rank, left, right))
    merges.sort(key=lambda m: (m[0], m[1], m[2]))
    return [(token_string(m[3]), token_string(m[4])) for m in merges]


def merges_one_per_token(ranks: dict[bytes, int]) -> list[tuple[str, str]]:
    """One merge per multi-byte token, in rank order: the last merge that tiktoken's BPE makes
    when it encodes the token's own bytes with only lower-ranked tokens (Qwen2's layout)."""
    merges: list[tuple[str, str]] = []
    for token, rank in sorted(ranks.items(), key=lambda item: item[1]):
        if len(token) < 2:
            continue
        left, right = _last_merge(token, rank, ranks)
        merges.append((token_string(left), token_string(right)))
    return merges


def _last_merge(token: bytes, rank: int, ranks: dict[bytes, int]) -> tuple[bytes, bytes]:
    parts = [token[i : i + 1] for i in range(len(token))]
    while len(parts) > 2:
        best_at, best_rank = -1, rank
        for i in range(len(parts) - 1):
            pair_rank = ranks.get(parts[i] + parts[i + 1])
            if pair_rank is not None and pair_rank < best_rank:
                best_at, best_rank = i, pair_rank
        if best_at < 0:
            raise ValueError(f"token {token!r} (rank {rank}) cannot be built from lower-ranked tokens")
        parts[best_at : best_at + 2] = [parts[best_at] + parts[best_at + 1]]
    return parts[0], parts[1]


def byte_level_decoder(*, add_prefix_space: bool, trim_offsets: bool, use_regex: bool) -> decoders.Decoder:
    """A ByteLevel decoder that serializes with the given flags.

    The Python constructor of ``decoders.ByteLevel`` takes no arguments (its flags never change
    what it decodes, but they are written to tokenizer.json), so the object comes from JSON."""
    carrier = {
        "version": "1.0",
        "decoder": {
            "type": "ByteLevel",
            "add_prefix_space": add_prefix_space,
            "trim_offsets": trim_offsets,
            "use_regex": use_regex,
        },
        "model": {"type": "BPE", "vocab": {}, "merges": []},
    }
    decoder = Tokenizer.from_str(json.dumps(carrier)).decoder
    assert decoder is not None
    return decoder
