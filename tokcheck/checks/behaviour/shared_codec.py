"""A base codec whose large batches are encoded and decoded once per run, however many tuned
checkpoints are compared with that base: the results come from a BaseMemo shared by all pairs.
Small batches (Hypothesis examples, shrinking) go straight through: hashing them costs more
than encoding them."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from tokcheck.checks.base_memo import BaseMemo
from tokcheck.checks.behaviour.batch_codecs import BatchCodec, Codec, FileCodec, IdArrays

_SHARED_FROM = 2_000  # inputs in a batch from which its results are shared


def _mode(codec: Codec) -> tuple[Hashable, object]:
    """What a codec's results depend on besides the inputs, and the object to keep alive."""
    if isinstance(codec, FileCodec):
        return ("file", codec.path), None
    if isinstance(codec, BatchCodec):
        return ("live", id(codec.tokenizer), codec.fast_encode, codec.fast_decode, codec._cleanup is not None), codec.tokenizer
    return ("other", id(codec)), codec


class SharedCodec:
    """`codec` with encode_arrays, encode and decode of large batches shared through `memo`."""

    def __init__(self, codec: Codec, memo: BaseMemo) -> None:
        self.codec = codec
        self.memo = memo
        self._key, self._owner = _mode(codec)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.codec, name)

    def encode_arrays(self, texts: Sequence[str], *, add_special_tokens: bool = False) -> IdArrays:
        if len(texts) < _SHARED_FROM:
            return self.codec.encode_arrays(texts, add_special_tokens=add_special_tokens)
        return self.memo.get((self._key, "encode_arrays", add_special_tokens), texts,
                             lambda: self._encode_arrays(texts, add_special_tokens), owner=self._owner)

    def _encode_arrays(self, texts: Sequence[str], add_special_tokens: bool) -> IdArrays:
        if self.memo.disk is None:
            return self.codec.encode_arrays(texts, add_special_tokens=add_special_tokens)
        return self.memo.disk.encode_arrays(self.codec, texts, add_special_tokens=add_special_tokens)

    def encode(self, texts: Sequence[str], *, add_special_tokens: bool = False) -> list[list[int]]:
        if len(texts) < _SHARED_FROM:
            return self.codec.encode(texts, add_special_tokens=add_special_tokens)
        return self.memo.get((self._key, "encode", add_special_tokens), texts,
                             lambda: self._encode(texts, add_special_tokens), owner=self._owner)

    def _encode(self, texts: Sequence[str], add_special_tokens: bool) -> list[list[int]]:
        if self.memo.disk is None:
            return self.codec.encode(texts, add_special_tokens=add_special_tokens)
        return self.memo.disk.encode_arrays(self.codec, texts, add_special_tokens=add_special_tokens).lists()

    def decode(self, id_lists: Sequence[Sequence[int]], *, skip_special_tokens: bool = False) -> list[str]:
        if len(id_lists) < _SHARED_FROM:
            return self.codec.decode(id_lists, skip_special_tokens=skip_special_tokens)
        as_tuples = [tuple(ids) for ids in id_lists]
        return self.memo.get((self._key, "decode", skip_special_tokens), as_tuples,
                             lambda: self.codec.decode(id_lists, skip_special_tokens=skip_special_tokens),
                             owner=self._owner)
