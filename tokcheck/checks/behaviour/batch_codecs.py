"""Batch codecs: encode and decode many texts with one tokenizer at the speed of the Rust
``tokenizers`` library while giving exactly what the transformers tokenizer gives (else its own
loop), and ids as flat arrays that two tokenizers are compared on in one step. `Codec` is what
every batch codec offers (BatchCodec, FileCodec, the llama.cpp view's and SharedCodec): what a
View holds for each side."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from tokenizers import Encoding, Tokenizer

from tokcheck.live_tokenizer import LiveTokenizer

# --- batch codec ------------------------------------------------------------------------------


@contextlib.contextmanager
def _plain(backend: Any) -> Iterator[None]:
    """The backend without the truncation or padding that transformers leaves enabled on it after a
    call such as ``tok(texts, truncation=True, max_length=3)`` (it resets them only on its next
    call); restored afterwards."""
    truncation, padding = backend.truncation, backend.padding
    if truncation is not None:
        backend.no_truncation()
    if padding is not None:
        backend.no_padding()
    try:
        yield
    finally:
        if truncation is not None:
            backend.enable_truncation(**truncation)
        if padding is not None:
            backend.enable_padding(**padding)


def _lists(id_lists: Sequence[Sequence[int]]) -> list[list[int]]:
    """What decode_batch takes: a list of lists (copied only when it is not one already)."""
    if isinstance(id_lists, list) and all(type(ids) is list for ids in id_lists):
        return id_lists
    return [list(ids) for ids in id_lists]


class IdArrays:
    """The ids of a batch of texts as one flat list and the length of each text's part: two
    tokenizers agree on the whole batch when both lists are equal, a comparison Python makes in C;
    a text's own ids are sliced out only where they differ."""

    __slots__ = ("_starts", "flat", "lengths")

    def __init__(self, flat: list[int], lengths: list[int]) -> None:
        self.flat, self.lengths = flat, lengths
        self._starts: list[int] | None = None

    @classmethod
    def from_lists(cls, id_lists: Sequence[Sequence[int]]) -> IdArrays:
        return cls([i for ids in id_lists for i in ids], [len(ids) for ids in id_lists])

    @classmethod
    def from_encodings(cls, encodings: list[Any]) -> IdArrays:
        if not encodings:
            return cls([], [])
        # One merged Encoding converts its ids to Python in one go: 4x faster than .ids per text.
        # (Only for encodings without overflowing parts, which merge combines pairwise: the
        # codecs encode with truncation off.)
        return cls(Encoding.merge(encodings, growing_offsets=False).ids, list(map(len, encodings)))

    def __len__(self) -> int:
        return len(self.lengths)

    def __getitem__(self, index: int) -> list[int]:
        if self._starts is None:
            self._starts = [0, *itertools.accumulate(self.lengths)]
        start = self._starts[index]
        return self.flat[start : start + self.lengths[index]]

    def lists(self) -> list[list[int]]:
        return [self[i] for i in range(len(self))]

    def differing(self, other: IdArrays) -> list[int]:
        """Positions whose ids differ; none after one whole-array comparison in the common case."""
        if self.lengths == other.lengths and self.flat == other.flat:
            return []
        return [i for i in range(len(self)) if self[i] != other[i]]


class Codec(Protocol):
    """A batch codec, as the views' users call it: `size` ids, the `special_ids` that
    skip_special_tokens may drop, and batch encode/decode; token names may be None for an id the
    tokenizers library does not know (FileCodec)."""

    @property
    def size(self) -> int: ...

    @property
    def special_ids(self) -> set[int]: ...

    def encode(self, texts: Sequence[str], *, add_special_tokens: bool = False) -> list[list[int]]: ...

    def encode_arrays(self, texts: Sequence[str], *, add_special_tokens: bool = False) -> IdArrays: ...

    def decode(self, id_lists: Sequence[Sequence[int]], *, skip_special_tokens: bool = False) -> list[str]: ...

    def convert_ids_to_tokens(self, ids: Sequence[int]) -> Sequence[str | None]: ...


class BatchCodec:
    """Batch encode/decode of one live tokenizer that give exactly what its own ``encode`` and
    ``decode`` give. Uses the underlying ``tokenizers.Tokenizer`` (``backend_tokenizer``) when that
    agrees with the transformers tokenizer on probe inputs, with transformers' decode clean-up
    applied on top where transformers applies it; otherwise loops over the transformers tokenizer.

    With `split_special_tokens`, special-token strings in the text stay text (transformers'
    ``encode(..., split_special_tokens=True)``, how llama-server treats user text): encoding then
    runs on a copy of the backend with ``encode_special_tokens`` set, never on the shared one."""

    def __init__(self, tokenizer: LiveTokenizer, probe_texts: Sequence[str] = (), *, split_special_tokens: bool = False) -> None:
        self.tokenizer = tokenizer
        backend = getattr(tokenizer, "backend_tokenizer", None)
        self.backend = backend if backend is not None and hasattr(backend, "encode_batch") else None
        self.size = len(tokenizer)
        self.fast_encode = False
        self._cleanup: Callable[[str], str] | None = None
        self.fast_decode = False
        self._split = {"split_special_tokens": True} if split_special_tokens else {}
        self._encoder = self.backend
        if self.backend is not None and split_special_tokens:
            self._encoder = Tokenizer.from_str(self.backend.to_str())
            self._encoder.encode_special_tokens = True
        if self._encoder is not None:
            self._encode_batch = getattr(self._encoder, "encode_batch_fast", self._encoder.encode_batch)
            self.fast_encode = self._encode_agrees(probe_texts)
            self.fast_decode = self._choose_decode(self._probe_ids(probe_texts))

    @property
    def special_ids(self) -> set[int]:
        """Ids that skip_special_tokens may drop: every added token and every special role."""
        ids = set(getattr(self.tokenizer, "added_tokens_decoder", {}) or {})
        return ids | {i for i in getattr(self.tokenizer, "all_special_ids", []) or [] if isinstance(i, int)}

    def convert_ids_to_tokens(self, ids: Sequence[int]) -> list[str | None]:
        return self.tokenizer.convert_ids_to_tokens(list(ids))

    def describe(self) -> str:
        encode = "tokenizers encode_batch" if self.fast_encode else "transformers encode loop"
        encode += ", special tokens split" if self._split else ""
        decode = "tokenizers decode_batch" if self.fast_decode else "transformers decode loop"
        return f"{encode}, {decode}"

    def encode(self, texts: Sequence[str], *, add_special_tokens: bool = False) -> list[list[int]]:
        if self.fast_encode:
            with _plain(self._encoder):
                return [encoding.ids for encoding in self._encode_batch(list(texts), add_special_tokens=add_special_tokens)]
        return [list(self.tokenizer.encode(text, add_special_tokens=add_special_tokens, **self._split)) for text in texts]

    def encode_arrays(self, texts: Sequence[str], *, add_special_tokens: bool = False) -> IdArrays:
        """`encode` as IdArrays, for comparing large batches."""
        if self.fast_encode:
            with _plain(self._encoder):
                return IdArrays.from_encodings(self._encode_batch(list(texts), add_special_tokens=add_special_tokens))
        return IdArrays.from_lists(self.encode(texts, add_special_tokens=add_special_tokens))

    def decode(self, id_lists: Sequence[Sequence[int]], *, skip_special_tokens: bool = False) -> list[str]:
        if self.fast_decode:
            assert self.backend is not None
            texts = self.backend.decode_batch(_lists(id_lists), skip_special_tokens=skip_special_tokens)
            return [self._cleanup(text) for text in texts] if self._cleanup else list(texts)
        return [str(self.tokenizer.decode(list(ids), skip_special_tokens=skip_special_tokens)) for ids in id_lists]

    def _encode_agrees(self, probes: Sequence[str]) -> bool:
        for add_special_tokens in (False, True):
            with _plain(self._encoder):
                fast = [e.ids for e in self._encode_batch(list(probes), add_special_tokens=add_special_tokens)]
            slow = [list(self.tokenizer.encode(p, add_special_tokens=add_special_tokens, **self._split)) for p in probes]
            if fast != slow:
                return False
        return True

    def _probe_ids(self, probes: Sequence[str]) -> list[list[int]]:
        step = max(1, self.size // 1500)
        singles = [[i] for i in range(0, self.size, step)]
        added = [[i] for i in sorted(getattr(self.tokenizer, "added_tokens_decoder", {}) or {})]
        encoded = [list(self.tokenizer.encode(p, add_special_tokens=True)) for p in probes]
        return singles + added + encoded

    def _choose_decode(self, probe_ids: list[list[int]]) -> bool:
        assert self.backend is not None
        cleanup = getattr(self.tokenizer, "clean_up_tokenization", None)
        # transformers 5.0's TokenizersBackend cleans up in decode but has no method for it: its rule, copied.
        candidates: list[Callable[[str], str] | None] = [None, cleanup if callable(cleanup) else clean_up_tokenization]
        expected = {
            skip: [str(self.tokenizer.decode(ids, skip_special_tokens=skip)) for ids in probe_ids] for skip in (False, True)
        }
        for candidate in candidates:
            self._cleanup = candidate
            raw = {skip: self.backend.decode_batch(probe_ids, skip_special_tokens=skip) for skip in (False, True)}
            if all([candidate(t) if candidate else t for t in raw[skip]] == expected[skip] for skip in (False, True)):
                return True
        self._cleanup = None
        return False


def clean_up_tokenization(text: str) -> str:
    """transformers' PreTrainedTokenizerBase.clean_up_tokenization (clean_up_tokenization_spaces)."""
    for spaced, joined in ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                           (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")):
        text = text.replace(spaced, joined)
    return text


class FileCodec:
    """Batch encode/decode with a ``tokenizers.Tokenizer`` read straight from a tokenizer.json: the
    pipeline that the tokenizers library, vLLM, TGI and transformers 4 use, which transformers 5
    rebuilds for some tokenizer classes (Qwen2Tokenizer re-creates its normalizer and pre-tokenizer)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.tokenizer = Tokenizer.from_file(path)
        # A file may set truncation and padding (MiniLM's: 128); they are no part of how it
        # tokenizes, transformers ignores them too, and they would break IdArrays' merge.
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.size = self.tokenizer.get_vocab_size(with_added_tokens=True)
        self._encode_batch = getattr(self.tokenizer, "encode_batch_fast", self.tokenizer.encode_batch)

    @property
    def special_ids(self) -> set[int]:
        return set(self.tokenizer.get_added_tokens_decoder())

    def describe(self) -> str:
        return "tokenizers.Tokenizer.from_file"

    def encode(self, texts: Sequence[str], *, add_special_tokens: bool = False) -> list[list[int]]:
        return [encoding.ids for encoding in self._encode_batch(list(texts), add_special_tokens=add_special_tokens)]

    def encode_arrays(self, texts: Sequence[str], *, add_special_tokens: bool = False) -> IdArrays:
        return IdArrays.from_encodings(self._encode_batch(list(texts), add_special_tokens=add_special_tokens))

    def convert_ids_to_tokens(self, ids: Sequence[int]) -> list[str | None]:
        return [self.tokenizer.id_to_token(i) for i in ids]

    def decode(self, id_lists: Sequence[Sequence[int]], *, skip_special_tokens: bool = False) -> list[str]:
        return list(self.tokenizer.decode_batch(_lists(id_lists), skip_special_tokens=skip_special_tokens))
