"""Hypothesis strategies for text: text biased toward tokenizer edge cases (the tables of
tokcheck.inputs.alphabets), text built from a tokenizer's own vocabulary and special tokens, and
token id sequences. Public through tokcheck.strategies.

Strategies are built from fragments listed simplest first, so a failing example shrinks to a
short text a person can read (``'ﬁ'``, ``'a<|eot_id|>'``, ``' \\n'``)."""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Sequence

import hypothesis.strategies as st

from tokcheck.inputs.alphabets import (
    APOSTROPHE_PIECES,
    CANONICAL_FORMS,
    CODE,
    COMBINING_MARKS,
    COMPATIBILITY,
    CONTRACTIONS,
    CONTROLS,
    DIGITS,
    EMOJI,
    INVISIBLES,
    LETTERS,
    MORE_COMPATIBILITY,
    MORE_CONTROLS,
    MORE_EMOJI,
    PUNCTUATION,
    SCRIPTS,
    WHITESPACE,
)
from tokcheck.inputs.generators import TOKEN_WHITESPACE, assigned_code_points
from tokcheck.live_tokenizer import LiveTokenizer


def _ascii_word() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(LETTERS), min_size=1, max_size=8).map("".join)


def _any_code_points() -> st.SearchStrategy[str]:
    table = assigned_code_points()
    char = st.integers(0, len(table) - 1).map(lambda index: chr(table[index]))
    return st.lists(char, min_size=1, max_size=3).map("".join)


def _by_length(*groups: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(dict.fromkeys(item for group in groups for item in group), key=len))


def edge_case_fragments() -> st.SearchStrategy[str]:
    """One piece of edge-case text; `edge_case_text` joins several. Five kinds (plain words; ASCII
    whitespace, punctuation, contractions and digits; invisible, combining, compatibility and
    control characters; scripts, emoji and code; any code point), each list shortest first."""
    return st.one_of(
        _ascii_word(),
        _by_length(WHITESPACE, PUNCTUATION, APOSTROPHE_PIECES, CONTRACTIONS, DIGITS),
        _by_length(INVISIBLES, COMBINING_MARKS, CANONICAL_FORMS, COMPATIBILITY, MORE_COMPATIBILITY, CONTROLS, MORE_CONTROLS),
        st.one_of(_by_length(EMOJI, MORE_EMOJI, SCRIPTS, CODE), st.integers(0, 10**12).map(str)),
        _any_code_points(),
    )


def edge_case_text(*, max_fragments: int = 8) -> st.SearchStrategy[str]:
    """Text biased toward tokenizer edge cases: whitespace runs (spaces, tabs, \\n, \\r\\n), leading
    and trailing spaces, NBSP/ZWSP/BOM, combining marks and non-NFC forms, fullwidth and
    compatibility characters, emoji with ZWJ and flags, CJK, Khmer, Cyrillic, RTL scripts, digit
    runs, contractions, indented code, control characters and any assigned code point."""
    return st.lists(edge_case_fragments(), max_size=max_fragments).map("".join)


# --- tokenizer-aware text ---------------------------------------------------------------------

_pieces_cache: weakref.WeakKeyDictionary[LiveTokenizer, tuple[str, ...]] = weakref.WeakKeyDictionary()


def vocab_pieces(tokenizer: LiveTokenizer) -> tuple[str, ...]:
    """The decoded text of every ordinary (not added) token id, shortest first, without the ones
    that decode to a partial character. Cached per tokenizer."""
    try:
        return _pieces_cache[tokenizer]
    except (KeyError, TypeError):
        pass
    added = set(getattr(tokenizer, "added_tokens_decoder", {}) or {})
    ids = [[i] for i in range(len(tokenizer)) if i not in added]
    backend = getattr(tokenizer, "backend_tokenizer", None)
    texts = backend.decode_batch(ids) if backend is not None else [tokenizer.decode(i) for i in ids]
    pieces = tuple(sorted({t for t in texts if t and "\ufffd" not in t}, key=lambda t: (len(t), t)))
    with contextlib.suppress(TypeError):
        _pieces_cache[tokenizer] = pieces
    return pieces


def special_strings(*tokenizers: LiveTokenizer) -> tuple[str, ...]:
    """The literal strings of every special and added token of the given tokenizers, sorted."""
    found: set[str] = set()
    for tokenizer in tokenizers:
        found.update(str(token) for token in getattr(tokenizer, "all_special_tokens", []) or [])
        decoder = getattr(tokenizer, "added_tokens_decoder", {}) or {}
        found.update(str(getattr(token, "content", token)) for token in decoder.values())
    return tuple(sorted(token for token in found if token))


def near_misses(tokens: Sequence[str]) -> tuple[str, ...]:
    """Strings that look like special tokens but are not: a bracket missing, case changed, doubled
    or cut characters (``<|eot_id|`` , ``<|EOT_ID|>``, ``<s`` ...)."""
    real = set(tokens)
    found: set[str] = set()
    for token in tokens:
        if len(token) < 2:
            continue
        found.update({
            token[:-1], token[1:], token.upper(), token.lower(), token.swapcase(), token[: len(token) // 2],
            token + token[-1], token[0] + token, token.replace("|", ""), token.replace("_", "-"), token.replace("_", " "),
        })
    misses = {miss for miss in found if miss and not any(token in miss for token in real)}
    return tuple(sorted(misses, key=lambda t: (len(t), t)))


class _Pick:
    """items[i], with a short repr: Hypothesis would otherwise spell out a 128k-item sampled_from."""

    def __init__(self, items: Sequence[str]) -> None:
        self.items = items

    def __call__(self, index: int) -> str:
        return self.items[index]

    def __repr__(self) -> str:
        return f"<one of {len(self.items):,} strings>"


_BUCKETS = 16


def _choice(items: Sequence[str]) -> st.SearchStrategy[str]:
    """Like sampled_from(items) (shrinking toward the first), for long lists. Hypothesis draws
    small integers far more often than large ones (the median of 0-150,000 is near 2,000), so a
    long list is cut into 16 equal slices: the slice is drawn first, then the place in it, and
    every slice (of a vocabulary sorted by length: long words too) comes up about as often."""
    if len(items) < 1000:
        return st.integers(0, len(items) - 1).map(_Pick(items))
    size = -(-len(items) // _BUCKETS)
    slices = st.integers(0, _BUCKETS - 1).flatmap(
        lambda b: st.integers(b * size, min(len(items), (b + 1) * size) - 1)
    )
    return slices.map(_Pick(items))


def special_splices(*tokenizers: LiveTokenizer, tokens: Sequence[str] | None = None) -> st.SearchStrategy[str]:
    """A special/added token's literal string with whitespace of llama.cpp's set on either side
    (``'\\n<|eot_id|> '``), for splicing into text."""
    pool = tuple(tokens) if tokens is not None else special_strings(*tokenizers)
    if not pool:
        return st.nothing()
    around = st.sampled_from(TOKEN_WHITESPACE)
    return st.tuples(around, st.sampled_from(pool), around).map("".join)


def tokenizer_fragments(*tokenizers: LiveTokenizer, pieces: Sequence[str] | None = None) -> st.SearchStrategy[str]:
    """One piece of `tokenizer_text`: an edge-case fragment, a vocabulary piece or 1-3 vocabulary
    words of the given tokenizers, a special token's string with whitespace around it, or a near
    miss of one. `pieces` replaces the decoded vocabularies when the caller already has them.
    Building it sorts the whole vocabulary: build once, reuse for several text lengths."""
    if pieces is None:
        pieces = [piece for tokenizer in tokenizers for piece in vocab_pieces(tokenizer)]
    pieces = sorted({piece for piece in pieces if piece and "\ufffd" not in piece}, key=lambda t: (len(t), t))
    specials = special_strings(*tokenizers)
    branches = [edge_case_fragments()]
    if pieces:
        branches.append(_choice(pieces))
        words = sorted({piece.strip() for piece in pieces if piece.strip().isalpha()}, key=lambda t: (len(t), t))
        if words:
            branches.append(st.lists(_choice(words), min_size=1, max_size=3).map("".join))
    if specials:
        branches.append(special_splices(tokens=specials))
        misses = near_misses(specials)
        if misses:
            branches.append(st.sampled_from(misses))
    return st.one_of(branches)


def tokenizer_text(*tokenizers: LiveTokenizer, max_fragments: int = 8, pieces: Sequence[str] | None = None,
                   fragments: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str]:
    """Edge-case text mixed with the tokenizers' own vocabulary pieces and words, the literal
    strings of their special tokens spliced at random positions with whitespace around them, and
    near misses of those strings. Pass base and tuned together to cover tokens either one has.
    `fragments` (from `tokenizer_fragments`) skips rebuilding the vocabulary lists."""
    fragment = fragments if fragments is not None else tokenizer_fragments(*tokenizers, pieces=pieces)
    return st.lists(fragment, max_size=max_fragments).map("".join)


def token_id_sequences(*tokenizers: LiveTokenizer, max_size: int = 16) -> st.SearchStrategy[list[int]]:
    """Lists of token ids every given tokenizer has, with its special/added ids often included."""
    size = min(len(tokenizer) for tokenizer in tokenizers)
    added = sorted(
        set.intersection(*(set(getattr(t, "added_tokens_decoder", {}) or {}) for t in tokenizers)) & set(range(size))
    )
    ids = st.integers(0, size - 1)
    return st.lists(st.one_of(ids, st.sampled_from(added)) if added else ids, max_size=max_size)
