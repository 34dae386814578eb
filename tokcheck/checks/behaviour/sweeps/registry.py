"""The sweeps of the built-in suite: what each one feeds base and tuned (llama.cpp's generators,
every base id, every code point, texts from the merges and vocabulary the two do not share), how it
is sampled and sharded, and which inputs one shard of a sample checks. Everything a sweep does
differently is said here, in its SweepSpec; tokcheck.checks.behaviour.sweeps.run runs any of them.

A new sweep is a SweepSpec in SWEEPS and a test in tokcheck/suite/test_sweeps.py that concludes
`tokcheck_behaviour.sweep_findings(name, shard)` (with a `shard` argument when it is sharded)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tokcheck.checks.behaviour.pair_inputs import PairInputs
from tokcheck.inputs.generators import (
    apostrophe_patterns,
    ascii_pairs,
    code_point_texts,
    custom_texts,
    merge_token_sequences,
    moved_merges,
    random_char_texts,
    random_token_texts,
    random_unicode_texts,
    random_vocab_char_texts,
    random_vocab_word_texts,
    token_whitespace_variants,
)

Inputs = Callable[[PairInputs], Sequence[Any]]


@dataclass(frozen=True)
class SweepSpec:
    """A sweep: `inputs(pair)` lists its inputs, texts or (with `ids`) base ids whose decoded text
    is checked. `sharded` sweeps are split into the run's shards (xdist spreads them); `sampled`
    ones check only the sample fraction when one is set, and `sampled_inputs` replaces the inputs
    in a sampled run; `decode` also compares each side's decoding of its own ids; `also_ids`
    lists base ids checked like the vocabulary sweep's besides the inputs, sampled or not."""

    name: str
    title: str
    inputs: Inputs
    ids: bool = False
    sharded: bool = False
    sampled: bool = True
    sampled_inputs: Inputs | None = None
    decode: bool = False
    also_ids: Callable[[PairInputs], list[int]] | None = None


def _base_ids(pair: PairInputs) -> range:
    return range(pair.comparison.base_codec.size)


def _changed_merges_and_vocab(pair: PairInputs) -> list[str]:
    """Texts of the token sequences that exercise each merge whose order or presence differs
    between base and tuned, and the text of each vocabulary entry whose id differs."""
    comparison = pair.comparison
    if comparison.snapshots is None:
        return []
    base, tuned = comparison.snapshots
    by_side: tuple[list[list[int]], list[list[int]]] = ([], [])
    if base.merges and tuned.merges:
        for sequence in merge_token_sequences(moved_merges(base.merges, tuned.merges), base.merges, tuned.merges):
            if all(token in base.vocab for token in sequence):
                by_side[0].append([base.vocab[token] for token in sequence])
            elif all(token in tuned.vocab for token in sequence):
                by_side[1].append([tuned.vocab[token] for token in sequence])
    if base.vocab != tuned.vocab:
        by_side[0].extend([i] for token, i in base.vocab.items() if tuned.vocab.get(token) != i)
        by_side[1].extend([i] for token, i in tuned.vocab.items() if base.vocab.get(token) != i)
    texts = comparison.base_codec.decode(by_side[0]) + comparison.tuned_codec.decode(by_side[1])
    return list(dict.fromkeys(text for text in texts if text))


def changed_ids(pair: PairInputs) -> list[int]:
    """Base ids whose vocabulary entry or added token differs in tuned (renamed in place, removed)."""
    comparison = pair.comparison
    if comparison.snapshots is None:
        return []
    base, tuned = comparison.snapshots
    base_tokens, tuned_tokens = base.id_to_token, tuned.id_to_token
    return sorted(i for i, token in base_tokens.items() if tuned_tokens.get(i) != token and i < comparison.base_codec.size)


def _random_vocab(pair: PairInputs) -> list[str]:
    vocab = pair.comparison.base_vocab_texts
    return random_vocab_char_texts(vocab) + random_vocab_word_texts(vocab)


def _specials(pair: PairInputs) -> list[str]:
    return pair.comparison.token_strings()


SWEEPS: dict[str, SweepSpec] = {
    spec.name: spec
    for spec in (
        SweepSpec("vocab_ids", "every base id decodes and re-encodes like base", _base_ids, ids=True, sharded=True),
        SweepSpec("code_points", "every assigned code point", lambda p: code_point_texts(), sharded=True, decode=True),
        SweepSpec("ascii_pairs", "ASCII pairs with whitespace on either side", lambda p: ascii_pairs(), sharded=True),
        SweepSpec("apostrophes", "apostrophe patterns", lambda p: apostrophe_patterns(), sharded=True),
        # Never sampled at random: a flag on one token of hundreds must not fall outside the sample.
        # Sampled runs check every token that base and tuned treat differently (or alone), and two of
        # each group treated alike, with all their whitespace variants.
        SweepSpec("added_tokens", "each special/added token with whitespace and a/z neighbours",
                  lambda p: token_whitespace_variants(_specials(p)), sharded=True, sampled=False,
                  sampled_inputs=lambda p: token_whitespace_variants(p.representative_tokens)),
        # Empty when base and tuned share their merges and vocabulary (every benign re-save); the ids
        # whose entry differs are decoded and re-encoded like base, sampled or not.
        SweepSpec("merges", "texts exercising each merge and vocabulary entry base and tuned do not share",
                  _changed_merges_and_vocab, sampled=False, decode=True, also_ids=changed_ids),
        SweepSpec("custom_texts", "fixed edge-case strings", lambda p: custom_texts(_specials(p)), sampled=False, decode=True),
        SweepSpec("random_tokens", "random runs of special/added tokens", lambda p: random_token_texts(_specials(p)), decode=True),
        SweepSpec("random_chars", "random words over Latin characters", lambda p: random_char_texts(), decode=True),
        SweepSpec("random_unicode", "random words over all code points", lambda p: random_unicode_texts(), decode=True),
        SweepSpec("random_vocab", "random vocabulary characters and words", _random_vocab, decode=True),
    )
}
SHARDED_SWEEPS = tuple(name for name, spec in SWEEPS.items() if spec.sharded)


def shards_of(name: str, shards: int) -> int:
    """How many shards sweep `name` runs in when the run asks for `shards`."""
    return shards if SWEEPS[name].sharded else 1


def select(items: Sequence[Any], name: str, *, shard: int = 0, shards: int = 1, sample: float = 1.0) -> list[Any]:
    """Shard `shard` of `shards` of a deterministic sample of `items`: the sample is a seeded
    (by sweep name) random subset of ceil(len * sample) items in their original order; shards are
    contiguous blocks of it, so that the inputs of one token or one script stay in one shard. The
    same on every xdist worker."""
    indices: Sequence[int] = range(len(items))
    if sample < 1.0:
        count = min(len(items), max(1, math.ceil(len(items) * sample)))
        indices = sorted(random.Random(f"tokcheck-sweep-{name}").sample(range(len(items)), count))
    size = math.ceil(len(indices) / shards)
    return [items[i] for i in indices[shard * size : (shard + 1) * size]]


def chosen_inputs(pair: PairInputs, name: str, *, shard: int = 0, shards: int = 1, sample: float = 1.0) -> list[Any]:
    """The inputs one shard of sweep `name` checks, in a run with `shards` shards and `sample`."""
    spec = SWEEPS[name]
    if spec.sampled_inputs is not None and sample < 1.0:
        items = pair.sweep_inputs(f"{name}:sampled", spec.sampled_inputs)
    else:
        items = pair.sweep_inputs(name, spec.inputs)
    return select(items, name, shard=shard if spec.sharded else 0, shards=shards if spec.sharded else 1,
                  sample=sample if spec.sampled else 1.0)
