"""Properties of text and ids: generated text encodes to the same ids (with and without special
tokens), round-trips wherever base round-trips, and ids decode to the same text; in every view."""

from __future__ import annotations

from hypothesis.strategies import SearchStrategy

from tokcheck.checks.behaviour.comparison import Comparison
from tokcheck.checks.behaviour.counterexamples import (
    Counterexample,
    decode_counterexample,
    ids_counterexample,
    repro,
)
from tokcheck.checks.behaviour.pair_inputs import PairInputs
from tokcheck.checks.behaviour.property import Property
from tokcheck.display import literal
from tokcheck.inputs.text import token_id_sequences


def text_strategy(inputs: PairInputs) -> SearchStrategy[str]:
    return inputs.text_strategy(8)


def check_ids(c: Comparison, texts: list[str], check: str = "behaviour.ids") -> list[Counterexample | None]:
    found: list[Counterexample | None] = [None] * len(texts)
    for view in c.checked_views:
        for add_special_tokens in (True, False):
            base_ids = view.base.encode(texts, add_special_tokens=add_special_tokens)
            tuned_ids = view.tuned.encode(texts, add_special_tokens=add_special_tokens)
            for i, (b, t) in enumerate(zip(base_ids, tuned_ids)):
                if b != t and found[i] is None:
                    found[i] = ids_counterexample(view, texts[i], b, t, "behaviour",
                                                  add_special_tokens=add_special_tokens, check=check)
    return found


def check_round_trip(c: Comparison, texts: list[str]) -> list[Counterexample | None]:
    """Wherever base gives decode(encode(x)) == x, tuned must too."""
    found: list[Counterexample | None] = [None] * len(texts)
    for view in c.checked_views:
        base_back = view.base.decode(view.base.encode(texts))
        tuned_ids = view.tuned.encode(texts)
        tuned_back = view.tuned.decode(tuned_ids)
        for i, (text, b, t, ids) in enumerate(zip(texts, base_back, tuned_back, tuned_ids)):
            if b == text and t != text and found[i] is None:
                note = f" ({view.note})" if view.note else ""
                found[i] = Counterexample(
                    check="behaviour.round_trip", code="behaviour.round-trip-lost",
                    message=f"base gives the text back from decode(encode(text)); tuned does not{note}",
                    text=text, base_value=b, tuned_value=t, lines=(f"tuned ids: {ids}",),
                    repro=repro(view, f"k.decode({view.encode_statement(False)})", setup=f"x = {literal(text)}"),
                    fix="compare normalizer, pre-tokenizer, decoder and byte_fallback of both (-m static)",
                    tokenizers=(view.base, view.tuned), seen_in=view.name,
                )
    return found


def ids_strategy(inputs: PairInputs) -> SearchStrategy[list[int]]:
    return token_id_sequences(*inputs.comparison.tokenizers)


def check_decode(c: Comparison, id_lists: list[list[int]]) -> list[Counterexample | None]:
    found: list[Counterexample | None] = [None] * len(id_lists)
    for view in c.checked_views:
        for skip in (True, False):
            base_texts = view.base.decode(id_lists, skip_special_tokens=skip)
            tuned_texts = view.tuned.decode(id_lists, skip_special_tokens=skip)
            for i, (b, t) in enumerate(zip(base_texts, tuned_texts)):
                if b != t and found[i] is None:
                    found[i] = decode_counterexample(view, b, id_lists[i], b, t, "behaviour", skip=skip)
    return found


PROPERTIES: tuple[Property, ...] = (
    Property("ids", "generated text encodes to the same ids, with and without special tokens", text_strategy, check_ids),
    Property("round_trip", "where base round-trips a text, tuned does too", text_strategy, check_round_trip),
    Property("decode", "ids decode to the same text, with and without skip_special_tokens", ids_strategy, check_decode),
)
