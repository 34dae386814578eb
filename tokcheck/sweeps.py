"""Exhaustive sweeps (no Hypothesis): the registry of sweeps over the inputs of tokcheck.generators,
deterministic sampling and sharding, and whole-array comparison of base and tuned through the
batch codecs of tokcheck.codecs, ending in the smallest failing inputs, shrunk, as counterexamples."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tokcheck.codecs import View
from tokcheck.counterexamples import Counterexample, escaped
from tokcheck.generators import (
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

if TYPE_CHECKING:
    from tokcheck.properties import Comparison

_SHOWN_OTHERS = 3  # failing inputs listed after the smallest one
_SHRINK_ABOVE = 12  # characters: a longer smallest failing input is shrunk before it is reported
_SHRINK_BATCH_CHARS = 200_000  # characters per batch of shrinking candidates
_SHRINK_MAX_PARTS = 256  # finest split delta debugging tries


# --- sweeps -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepSpec:
    """A sweep of the built-in suite: `inputs(comparison)` lists its inputs (texts, or base ids for
    the vocabulary sweep); `sharded` sweeps are split over shards (xdist spreads them), `sampled`
    ones check only the sample fraction when one is set; `decode` also compares each side's
    decoding of its own ids."""

    name: str
    title: str
    inputs: Callable[[Comparison], Sequence[Any]]
    sharded: bool = False
    sampled: bool = True
    decode: bool = False


def _base_ids(comparison: Comparison) -> range:
    return range(comparison.base_codec.size)


def _changed_merges_and_vocab(comparison: Comparison) -> list[str]:
    """Texts of the token sequences that exercise each merge whose order or presence differs
    between base and tuned, and the text of each vocabulary entry whose id differs."""
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


def changed_ids(comparison: Comparison) -> list[int]:
    """Base ids whose vocabulary entry or added token differs in tuned (renamed in place, removed)."""
    if comparison.snapshots is None:
        return []
    base, tuned = comparison.snapshots
    base_tokens, tuned_tokens = base.id_to_token, tuned.id_to_token
    return sorted(i for i, token in base_tokens.items() if tuned_tokens.get(i) != token and i < comparison.base_codec.size)


def _random_vocab(comparison: Comparison) -> list[str]:
    vocab = comparison.base_vocab_texts()
    return random_vocab_char_texts(vocab) + random_vocab_word_texts(vocab)


SWEEPS: dict[str, SweepSpec] = {
    spec.name: spec
    for spec in (
        SweepSpec("vocab_ids", "every base id decodes and re-encodes like base", _base_ids, sharded=True),
        SweepSpec("code_points", "every assigned code point", lambda c: code_point_texts(), sharded=True, decode=True),
        SweepSpec("ascii_pairs", "ASCII pairs with whitespace on either side", lambda c: ascii_pairs(), sharded=True),
        SweepSpec("apostrophes", "apostrophe patterns", lambda c: apostrophe_patterns(), sharded=True),
        # Never sampled at random: a flag on one token of hundreds must not fall outside the sample
        # (sampled runs take representatives instead, see run_sweep).
        SweepSpec("added_tokens", "each special/added token with whitespace and a/z neighbours",
                  lambda c: token_whitespace_variants(c.token_strings()), sharded=True, sampled=False),
        # Empty when base and tuned share their merges and vocabulary (every benign re-save).
        SweepSpec("merges", "texts exercising each merge and vocabulary entry base and tuned do not share",
                  _changed_merges_and_vocab, sampled=False, decode=True),
        SweepSpec("custom_texts", "fixed edge-case strings", lambda c: custom_texts(c.token_strings()), sampled=False, decode=True),
        SweepSpec("random_tokens", "random runs of special/added tokens", lambda c: random_token_texts(c.token_strings()), decode=True),
        SweepSpec("random_chars", "random words over Latin characters", lambda c: random_char_texts(), decode=True),
        SweepSpec("random_unicode", "random words over all code points", lambda c: random_unicode_texts(), decode=True),
        SweepSpec("random_vocab", "random vocabulary characters and words", _random_vocab, decode=True),
    )
}


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


@dataclass
class SweepOutcome:
    """What one sweep shard found: how many inputs it checked, how many differ, and the smallest
    failing inputs (smallest first) as counterexamples."""

    name: str
    checked: int
    failed: int = 0
    examples: list[Counterexample] = field(default_factory=list)

    def smallest(self) -> Counterexample | None:
        """The smallest failing input, with a line saying how many others failed and a few of them."""
        if not self.examples:
            return None
        others = [_short(escaped(c.text or "")) for c in self.examples[1:]]
        summary = f"sweep {self.name}: {self.failed:,} of {self.checked:,} inputs differ; this is the smallest"
        if others:
            summary += "; next smallest: " + ", ".join(others)
        return self.examples[0].with_lines(summary)


@dataclass(frozen=True)
class _Failure:
    """One failing sweep input, kept cheap until it is among the few reported."""

    view: View
    kind: str  # "encode", "decode" (same ids, other text) or "id" (a base id decodes differently)
    text: str
    token_id: int | None = None
    skip: bool = False
    tuned_text: str = ""

    @property
    def size(self) -> tuple[int, str]:
        return (len(self.text), self.text)


def _encode_differs(view: View) -> Callable[[list[str]], list[bool]]:
    def failing(texts: list[str]) -> list[bool]:
        return [b != t for b, t in zip(view.base.encode(texts), view.tuned.encode(texts))]

    return failing


def _decode_differs(view: View) -> Callable[[list[str]], list[bool]]:
    def failing(texts: list[str]) -> list[bool]:
        base_ids, tuned_ids = view.base.encode(texts), view.tuned.encode(texts)
        base_texts, tuned_texts = view.base.decode(base_ids), view.tuned.decode(tuned_ids)
        return [b == t and bt != tt for b, t, bt, tt in zip(base_ids, tuned_ids, base_texts, tuned_texts)]

    return failing


def shrink_text(text: str, failing: Callable[[list[str]], list[bool]], *, rounds: int = 120) -> str:
    """A short text that still fails: delta debugging over words and whitespace runs, then over
    characters; candidates go to `failing` in batches of bounded size (a long input's candidates
    would otherwise hold millions of characters' encodings at once)."""
    units = _ddmin(re.findall(r"\s+|\S+", text), failing, rounds)
    return "".join(_ddmin(list("".join(units)), failing, rounds))


def _first_failing(candidates: list[list[str]], failing: Callable[[list[str]], list[bool]]) -> int | None:
    batch: list[int] = []
    size = 0
    for index, candidate in enumerate(candidates):
        batch.append(index)
        size += sum(map(len, candidate))
        if size >= _SHRINK_BATCH_CHARS or index == len(candidates) - 1:
            results = failing(["".join(candidates[i]) for i in batch])
            hit = next((i for i, failed in zip(batch, results) if failed), None)
            if hit is not None:
                return hit
            batch, size = [], 0
    return None


def _ddmin(units: list[str], failing: Callable[[list[str]], list[bool]], rounds: int) -> list[str]:
    parts = 2
    while len(units) >= 2 and rounds > 0:
        rounds -= 1
        size = math.ceil(len(units) / parts)
        bounds = [(start, min(start + size, len(units))) for start in range(0, len(units), size)]
        subsets = [units[a:b] for a, b in bounds]
        complements = [units[:a] + units[b:] for a, b in bounds]
        candidates = [c for c in subsets + complements if c]
        hit = _first_failing(candidates, failing)
        if hit is not None:
            units = candidates[hit]
            parts = 2 if hit < len(subsets) else max(parts - 1, 2)
        elif parts >= min(len(units), _SHRINK_MAX_PARTS):
            break
        else:
            parts = min(parts * 2, len(units), _SHRINK_MAX_PARTS)
    return units


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 4] + "...'"


class _Failures:
    """Failing inputs of one sweep; only the smallest few become counterexamples (a pipeline
    change can make every one of 442,368 inputs differ), and the smallest is shrunk further."""

    def __init__(self) -> None:
        self.items: list[_Failure] = []

    def outcome(self, comparison: Comparison, name: str, checked: int) -> SweepOutcome:
        # One failure per input (the first view's), however many views and checks it fails.
        distinct = list({(f.text, f.token_id): f for f in reversed(self.items)}.values())
        smallest = sorted(distinct, key=lambda f: f.size)[: 1 + _SHOWN_OTHERS]
        examples = [_counterexample(comparison, name, f, shrink=i == 0) for i, f in enumerate(smallest)]
        return SweepOutcome(name, checked, len(distinct), examples)


def _counterexample(c: Comparison, name: str, failure: _Failure, *, shrink: bool) -> Counterexample:
    view, text = failure.view, failure.text
    if failure.kind == "id":
        return c.id_decode_counterexample(failure.token_id or 0, text, failure.tuned_text, failure.skip, view=view)
    failing = _encode_differs(view) if failure.kind == "encode" else _decode_differs(view)
    if shrink and len(text) > _SHRINK_ABOVE:
        text = shrink_text(text, failing)
    base_ids, tuned_ids = view.base.encode([text])[0], view.tuned.encode([text])[0]
    if failure.kind == "encode":
        example = c.ids_counterexample(text, base_ids, tuned_ids, "sweep", view=view, token_id=failure.token_id,
                                       check=f"sweep.{name}")
    else:
        example = c.decode_counterexample(text, base_ids, view.base.decode([base_ids])[0], view.tuned.decode([tuned_ids])[0],
                                          "sweep", check=f"sweep.{name}", view=view)
    if text != failure.text:
        example = example.with_lines(f"shrunk from a {len(failure.text):,}-character input of the sweep")
    return example


def run_sweep(comparison: Comparison, name: str, *, shard: int = 0, shards: int = 1, sample: float = 1.0) -> SweepOutcome:
    """Run sweep `name` (one shard of a sample of it) on every view of the comparison."""
    spec = SWEEPS[name]
    if name == "added_tokens" and sample < 1.0:
        # Sampled runs check every token that base and tuned treat differently (or alone), and two
        # of each group treated alike, with all their whitespace variants.
        items: Sequence[Any] = token_whitespace_variants(comparison.representative_tokens)
    else:
        items = comparison.sweep_inputs(name)
    chosen = select(items, name, shard=shard if spec.sharded else 0, shards=shards if spec.sharded else 1,
                    sample=sample if spec.sampled else 1.0)
    failures = _Failures()
    for view in comparison.views:
        if name == "vocab_ids":
            _vocab_mismatches(view, chosen, failures)
        else:
            _text_mismatches(view, chosen, failures, decode=spec.decode)
        if name == "merges":  # the ids whose entry differs decode and re-encode like base, sampled or not
            _vocab_mismatches(view, changed_ids(comparison), failures)
    return failures.outcome(comparison, name, len(chosen))


def _text_mismatches(view: View, texts: list[str], failures: _Failures, *, decode: bool) -> None:
    base_ids = view.base.encode_arrays(texts)
    tuned_ids = view.tuned.encode_arrays(texts)
    failures.items += [_Failure(view, "encode", texts[i]) for i in base_ids.differing(tuned_ids)]
    if decode:
        base_lists = base_ids.lists()
        base_texts = view.base.decode(base_lists)
        tuned_texts = view.tuned.decode(tuned_ids.lists())
        failures.items += [_Failure(view, "decode", texts[i]) for i in _differing(base_texts, tuned_texts)
                           if base_lists[i] == tuned_ids[i]]


def _vocab_mismatches(view: View, ids: list[int], failures: _Failures) -> None:
    singles = [[i] for i in ids if i < view.base.size]
    texts = _decode_mismatches(view, singles, failures, skip=False)
    special = view.base.special_ids | view.tuned.special_ids  # the only ids skip_special_tokens can drop
    _decode_mismatches(view, [s for s in singles if s[0] in special], failures, skip=True)
    base_ids = view.base.encode_arrays(texts)
    tuned_ids = view.tuned.encode_arrays(texts)
    failures.items += [_Failure(view, "encode", texts[i], singles[i][0]) for i in base_ids.differing(tuned_ids)]


def _decode_mismatches(view: View, singles: list[list[int]], failures: _Failures, *, skip: bool) -> list[str]:
    """Each single id decoded by both; returns base's texts."""
    base_texts = view.base.decode(singles, skip_special_tokens=skip)
    tuned_texts = view.tuned.decode(singles, skip_special_tokens=skip)
    failures.items += [_Failure(view, "id", base_texts[i], singles[i][0], skip, tuned_texts[i])
                       for i in _differing(base_texts, tuned_texts)]
    return base_texts


def _differing(left: Sequence[Any], right: Sequence[Any]) -> list[int]:
    """Positions where two equally long result lists differ; whole-list equality first (one C loop)."""
    if left == right:
        return []
    return [i for i, (a, b) in enumerate(zip(left, right)) if a != b]
