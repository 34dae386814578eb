"""Running a sweep (no Hypothesis): one shard of a sweep's inputs through both tokenizers of every
view in whole batches, compared as flat arrays, ending in the smallest failing inputs, shrunk by
delta debugging, as counterexamples. What each sweep feeds is tokcheck.checks.behaviour.sweeps.registry."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tokcheck.checks.behaviour.counterexamples import (
    Counterexample,
    decode_counterexample,
    ids_counterexample,
)
from tokcheck.checks.behaviour.pair_inputs import PairInputs
from tokcheck.checks.behaviour.reach import Reach
from tokcheck.checks.behaviour.sweeps.registry import SWEEPS, chosen_inputs
from tokcheck.checks.behaviour.views import View
from tokcheck.display import escaped

_SHOWN_OTHERS = 3  # failing inputs listed after the smallest one
_SHRINK_ABOVE = 12  # characters: a longer smallest failing input is shrunk before it is reported
_SHRINK_BATCH_CHARS = 200_000  # characters per batch of shrinking candidates
_SHRINK_MAX_PARTS = 256  # finest split delta debugging tries


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

    def outcome(self, name: str, checked: int) -> SweepOutcome:
        # One failure per input (the first view's), however many views and checks it fails.
        distinct = list({(f.text, f.token_id): f for f in reversed(self.items)}.values())
        smallest = sorted(distinct, key=lambda f: f.size)[: 1 + _SHOWN_OTHERS]
        examples = [_counterexample(name, f, shrink=i == 0) for i, f in enumerate(smallest)]
        return SweepOutcome(name, checked, len(distinct), examples)


def _counterexample(name: str, failure: _Failure, *, shrink: bool) -> Counterexample:
    view, text = failure.view, failure.text
    if failure.kind == "id":  # a base id that decodes differently
        return decode_counterexample(view, text, [failure.token_id or 0], text, failure.tuned_text, "sweep",
                                     skip=failure.skip, check="sweep.vocab_ids")
    failing = _encode_differs(view) if failure.kind == "encode" else _decode_differs(view)
    if shrink and len(text) > _SHRINK_ABOVE:
        text = shrink_text(text, failing)
    base_ids, tuned_ids = view.base.encode([text])[0], view.tuned.encode([text])[0]
    if failure.kind == "encode":
        example = ids_counterexample(view, text, base_ids, tuned_ids, "sweep", token_id=failure.token_id,
                                     check=f"sweep.{name}")
    else:
        example = decode_counterexample(view, text, base_ids, view.base.decode([base_ids])[0],
                                        view.tuned.decode([tuned_ids])[0], "sweep", check=f"sweep.{name}")
    if text != failure.text:
        example = example.with_lines(f"shrunk from a {len(failure.text):,}-character input of the sweep")
    return example


def run_sweep(
    pair: PairInputs, name: str, *, shard: int = 0, shards: int = 1, sample: float = 1.0, full: bool = False
) -> SweepOutcome:
    """Run sweep `name` (one shard of a sample of it) on every view of the pair's comparison. In a
    view whose pipelines differ only in some added tokens, only the inputs those tokens reach are
    run (the others encode and decode alike by construction: tokcheck.checks.behaviour.reach);
    `full` runs every input through both anyway."""
    spec = SWEEPS[name]
    chosen = chosen_inputs(pair, name, shard=shard, shards=shards, sample=sample)
    also_ids = spec.also_ids(pair) if spec.also_ids is not None else []
    failures = _Failures()
    for view in pair.comparison.checked_views:
        inputs = spread(chosen, view.sweep_limit)
        reach = None if full else pair.reach(view)
        if spec.ids:
            _vocab_mismatches(view, inputs, failures, reach)
        else:
            _text_mismatches(view, inputs, failures, reach, decode=spec.decode)
        if also_ids:
            _vocab_mismatches(view, spread(also_ids, view.sweep_limit), failures, reach)
    return failures.outcome(name, len(chosen))


def spread(items: list[Any], limit: int | None) -> list[Any]:
    """At most `limit` of `items`, evenly spaced from the first (all of them without a limit):
    a view that runs one text per call (llama.cpp) sees every part of a sweep's inputs."""
    if limit is None or len(items) <= limit:
        return items
    return [items[i * len(items) // limit] for i in range(limit)]


def _text_mismatches(view: View, texts: list[str], failures: _Failures, reach: Reach | None, *, decode: bool) -> None:
    if reach is not None:
        texts = [texts[i] for i in reach.reachable(texts)]
    base_ids = view.base.encode_arrays(texts)
    tuned_ids = view.tuned.encode_arrays(texts)
    failures.items += [_Failure(view, "encode", texts[i]) for i in base_ids.differing(tuned_ids)]
    if decode:
        base_lists = base_ids.lists()
        base_texts = view.base.decode(base_lists)
        tuned_texts = view.tuned.decode(tuned_ids.lists())
        failures.items += [_Failure(view, "decode", texts[i]) for i in _differing(base_texts, tuned_texts)
                           if base_lists[i] == tuned_ids[i]]


def _vocab_mismatches(view: View, ids: list[int], failures: _Failures, reach: Reach | None) -> None:
    singles = [[i] for i in ids if i < view.base.size]
    texts = view.base.decode(singles)
    # Under a reach only its own ids can decode differently, and only texts holding its strings can
    # encode differently: the rest are not run through tuned (nor re-encoded by base).
    decoded = range(len(singles)) if reach is None else [k for k, s in enumerate(singles) if s[0] in reach.ids]
    _decode_mismatches(view, [singles[k] for k in decoded], failures, skip=False, base_texts=[texts[k] for k in decoded])
    special = view.base.special_ids | view.tuned.special_ids  # the only ids skip_special_tokens can drop
    _decode_mismatches(view, [singles[k] for k in decoded if singles[k][0] in special], failures, skip=True)
    encoded = range(len(texts)) if reach is None else reach.reachable(texts)
    base_ids = view.base.encode_arrays([texts[k] for k in encoded])
    tuned_ids = view.tuned.encode_arrays([texts[k] for k in encoded])
    failures.items += [_Failure(view, "encode", texts[encoded[i]], singles[encoded[i]][0])
                       for i in base_ids.differing(tuned_ids)]


def _decode_mismatches(
    view: View, singles: list[list[int]], failures: _Failures, *, skip: bool, base_texts: list[str] | None = None
) -> None:
    """Each single id decoded by both (`base_texts`: base's, already decoded); a difference is a failure."""
    if base_texts is None:
        base_texts = view.base.decode(singles, skip_special_tokens=skip)
    tuned_texts = view.tuned.decode(singles, skip_special_tokens=skip)
    failures.items += [_Failure(view, "id", base_texts[i], singles[i][0], skip, tuned_texts[i])
                       for i in _differing(base_texts, tuned_texts)]


def _differing(left: Sequence[Any], right: Sequence[Any]) -> list[int]:
    """Positions where two equally long result lists differ; whole-list equality first (one C loop)."""
    if left == right:
        return []
    return [i for i, (a, b) in enumerate(zip(left, right)) if a != b]
