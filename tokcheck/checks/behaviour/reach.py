"""Where a sweep needs to encode: when base's and tuned's pipelines in a view are the same but for
some added tokens (the founding case, a pad or stop token added, a flag flipped on one token), an
input that none of those tokens can reach is encoded and decoded alike by both, by construction,
and the sweep runs only the inputs they can reach.

Why that holds (tokenizers' AddedVocabulary and decode): text is first split at the matches of the
added tokens (leftmost-longest over their contents; for normalized=False tokens, in the raw text),
then normalized, pre-tokenized and run through the model. A token whose content does not occur in
a text is never matched, whatever its flags, so the split, and everything after it, is that of a
pipeline without it. Decoding maps each id to its added token, else to the model's piece, then
runs the decoder: ids that are no differing token's decode alike. So this holds only where:

- both codecs run the backend (`fast_encode`, `fast_decode`, the same clean-up) of pipelines whose
  normalizer, pre-tokenizer, decoder and model serialize identically. The post-processor is left
  out: sweeps encode with add_special_tokens=False, where tokenizers' processors (Template, Bert,
  Roberta, ByteLevel and Sequences of them) add no id and only move offsets and type ids, and
  decoding never runs it. A dropped BOS or a rewritten template is the properties' to find;
- every differing added token is normalized=False (a normalized one is matched in normalized
  text, where other strings can become its content);
- no differing token's id is a model piece (the model could produce it from text without the
  token's content, e.g. a byte-level piece).

Anywhere else `reach` is None and every input is encoded by both. tests/checks/behaviour/
test_reach.py runs the sweeps both ways on the zoo's pairs and requires the same outcome."""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tokcheck.checks.behaviour.batch_codecs import BatchCodec, Codec, FileCodec
from tokcheck.sources.canonical import COMPONENTS
from tokcheck.sources.tokens import ADDED_TOKEN_FLAGS, flag_values

_NORMALIZED = 2 + ADDED_TOKEN_FLAGS.index("normalized")  # in an added-token entry: (id, content, *flags)


@dataclass(frozen=True)
class Reach:
    """The added tokens in which two otherwise identical pipelines differ: their contents
    (`strings`) and ids on either side (`ids`)."""

    strings: tuple[str, ...]
    ids: frozenset[int]

    def reachable(self, texts: Sequence[str]) -> list[int]:
        """Positions of the texts that contain one of the strings: the only ones that can encode
        differently. One regular-expression scan over the texts joined by a character none of the
        strings holds, so that no match spans two texts."""
        if not self.strings or not texts:
            return []
        separator = next((c for c in ("\x00", "\x01", "\uffff", "\U0010ffff") if all(c not in s for s in self.strings)), None)
        if separator is None:  # tokens holding every separator (a hostile file): run every text
            return list(range(len(texts)))
        pattern = re.compile("|".join(re.escape(s) for s in sorted(self.strings, key=len, reverse=True)))
        starts = []
        position = 0
        for text in texts:
            starts.append(position)
            position += len(text) + 1
        found: list[int] = []
        for match in pattern.finditer(separator.join(texts)):
            index = bisect.bisect_right(starts, match.start()) - 1
            if not found or found[-1] != index:
                found.append(index)
        return found


def _backend(codec: Codec) -> tuple[Any, Any] | None:
    """The tokenizers.Tokenizer a codec encodes with and the one it decodes with, where it runs
    them for every batch (else None: a loop over transformers, or a view of another kind)."""
    if isinstance(codec, FileCodec):
        return codec.tokenizer, codec.tokenizer
    if isinstance(codec, BatchCodec) and codec.fast_encode and codec.fast_decode and codec.backend is not None:
        return codec._encoder, codec.backend
    inner = getattr(codec, "codec", None)  # a SharedCodec: what it wraps
    return _backend(inner) if inner is not None else None


def _cleanup(codec: Codec) -> Any:
    codec = getattr(codec, "codec", codec)
    function = getattr(codec, "_cleanup", None)
    return getattr(function, "__func__", function)


# What a sweep's ids and decodings depend on besides the added tokens: not the post-processor,
# which adds nothing under add_special_tokens=False (the sweeps' encoding) and never decodes.
_SWEPT = (*(name for name in COMPONENTS if name != "post_processor"), "model")


@functools.lru_cache(maxsize=8)  # base's stays in over a run of many checkpoints; the tuned ones go
def pipeline_digest(tokenizer: Any) -> str:
    """A digest of what a tokenizers.Tokenizer runs for a sweep besides its added tokens (the
    model's serialization is the costly part: about 0.2 s for a 128k-token BPE)."""
    digest = hashlib.sha256()
    for name in _SWEPT:
        part = getattr(tokenizer, name, None)
        digest.update(name.encode() + b"\x00" + (part.__getstate__() if part is not None else b"null") + b"\x00")
    return digest.hexdigest()


def _added(tokenizer: Any) -> set[tuple[Any, ...]]:
    return {(i, str(t.content), *flag_values(t)) for i, t in tokenizer.get_added_tokens_decoder().items()}


def reach(base: Codec, tuned: Codec) -> Reach | None:
    """The reach of the differences between two codecs, or None where any input can differ."""
    sides = _backend(base), _backend(tuned)
    if sides[0] is None or sides[1] is None or _cleanup(base) is not _cleanup(tuned):
        return None
    (base_encoder, base_decoder), (tuned_encoder, tuned_decoder) = sides[0], sides[1]
    if base_encoder.encode_special_tokens != tuned_encoder.encode_special_tokens:
        return None
    if base_encoder is not base_decoder or tuned_encoder is not tuned_decoder:  # split-special copies
        if pipeline_digest(base_encoder) != pipeline_digest(base_decoder) or _added(base_encoder) != _added(base_decoder):
            return None
        if pipeline_digest(tuned_encoder) != pipeline_digest(tuned_decoder) or _added(tuned_encoder) != _added(tuned_decoder):
            return None
    if pipeline_digest(base_decoder) != pipeline_digest(tuned_decoder):
        return None
    differing = _added(base_decoder) ^ _added(tuned_decoder)
    if any(entry[_NORMALIZED] for entry in differing):
        return None
    ids = frozenset(entry[0] for entry in differing)
    if any(side.model.id_to_token(i) is not None for side in (base_decoder, tuned_decoder) for i in ids):
        return None
    return Reach(tuple(sorted({str(entry[1]) for entry in differing})), ids)

