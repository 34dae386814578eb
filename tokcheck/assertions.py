"""Assertion helpers for tests of tokenizer pairs, with failure messages a person can act on: the
text escaped (whitespace visible), both id lists, the first differing position with both tokens.

Each takes live tokenizers (transformers or anything with encode/decode/convert_ids_to_tokens, a
tokcheck.live_tokenizer.TextTokenizer), either as a ``tokenizer_pair`` fixture value or as a
``(base, tuned)`` tuple. The helpers they share with tokcheck's own reports live in
tokcheck.display; this module is their stable import path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tokcheck.display import describe_ids_mismatch, first_difference, id_window, token_strings
from tokcheck.live_tokenizer import TextTokenizer
from tokcheck.sources.live import render_chat

__all__ = [
    "assert_round_trip",
    "assert_same_chat_render",
    "assert_same_decode",
    "assert_same_ids",
    "assert_single_token",
    "describe_ids_mismatch",
    "encode",
    "render_chat",
]


def _sides(pair: Any) -> tuple[Any, Any]:
    """Base and tuned of a TokenizerPair (the fixture's) or of a (base, tuned) tuple or list: a
    user's objects, which the chat assertion needs to render too (Any, not TextTokenizer)."""
    if isinstance(pair, (tuple, list)) and len(pair) == 2:
        return pair[0], pair[1]
    return pair.base, pair.tuned


def encode(tokenizer: TextTokenizer, text: str, *, add_special_tokens: bool = True) -> list[int]:
    return list(tokenizer.encode(text, add_special_tokens=add_special_tokens))


def assert_same_ids(pair: Any, text: str, *, add_special_tokens: bool = True) -> list[int]:
    """Base and tuned encode `text` to the same ids; returns them."""
    __tracebackhide__ = True
    base, tuned = _sides(pair)
    base_ids = encode(base, text, add_special_tokens=add_special_tokens)
    tuned_ids = encode(tuned, text, add_special_tokens=add_special_tokens)
    if base_ids != tuned_ids:
        raise AssertionError(
            describe_ids_mismatch(text, base_ids, tuned_ids, base, tuned)
            + f"\n  (add_special_tokens={add_special_tokens})"
        )
    return base_ids


def assert_round_trip(tokenizer: TextTokenizer, text: str, *, add_special_tokens: bool = False) -> None:
    """decode(encode(text)) gives `text` back."""
    __tracebackhide__ = True
    ids = encode(tokenizer, text, add_special_tokens=add_special_tokens)
    decoded = tokenizer.decode(ids)
    if decoded != text:
        raise AssertionError(
            f"decode(encode(text)) does not give the text back\n  text:    {text!r}\n  decoded: {decoded!r}\n"
            f"  ids: {id_window(ids, 0)}"
        )


def assert_same_decode(pair: Any, ids: Sequence[int], *, skip_special_tokens: bool = False) -> str:
    """Base and tuned decode `ids` to the same text; returns it."""
    __tracebackhide__ = True
    base, tuned = _sides(pair)
    base_text = base.decode(list(ids), skip_special_tokens=skip_special_tokens)
    tuned_text = tuned.decode(list(ids), skip_special_tokens=skip_special_tokens)
    if base_text != tuned_text:
        raise AssertionError(
            f"base and tuned decode {id_window(ids, 0)} differently (skip_special_tokens={skip_special_tokens})\n"
            f"  base:  {base_text!r}\n  tuned: {tuned_text!r}"
        )
    return str(base_text)


def assert_single_token(tokenizer: TextTokenizer, token: str) -> int:
    """`token` encodes to exactly one id (a special or added token kept whole); returns the id."""
    __tracebackhide__ = True
    ids = encode(tokenizer, token, add_special_tokens=False)
    if len(ids) != 1:
        raise AssertionError(
            f"{token!r} encodes to {len(ids)} ids, not one: {ids} = {token_strings(tokenizer, ids)}"
        )
    return ids[0]


def assert_same_chat_render(
    pair: Any, messages: list[dict[str, Any]], *, add_generation_prompt: bool = False, **kwargs: Any
) -> list[int]:
    """Base and tuned render `messages` to the same text and the same ids; returns the ids."""
    __tracebackhide__ = True
    base, tuned = _sides(pair)
    base_text = render_chat(base, messages, tokenize=False, add_generation_prompt=add_generation_prompt, **kwargs)
    tuned_text = render_chat(tuned, messages, tokenize=False, add_generation_prompt=add_generation_prompt, **kwargs)
    if base_text != tuned_text:
        position = first_difference(base_text, tuned_text) or 0
        raise AssertionError(
            f"base and tuned chat templates render differently (add_generation_prompt={add_generation_prompt})\n"
            f"  messages: {messages!r}\n"
            f"  first difference at character {position}:\n"
            f"  base:  {base_text[max(0, position - 40) : position + 60]!r}\n"
            f"  tuned: {tuned_text[max(0, position - 40) : position + 60]!r}"
        )
    base_ids = render_chat(base, messages, tokenize=True, add_generation_prompt=add_generation_prompt, **kwargs)
    tuned_ids = render_chat(tuned, messages, tokenize=True, add_generation_prompt=add_generation_prompt, **kwargs)
    if base_ids != tuned_ids:
        raise AssertionError(describe_ids_mismatch(base_text, base_ids, tuned_ids, base, tuned, what="chat ids"))
    return list(base_ids)
