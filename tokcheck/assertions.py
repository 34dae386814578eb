"""Assertion helpers for tests of tokenizer pairs, with failure messages a person can act on: the
text escaped (whitespace visible), both id lists, the first differing position with both tokens.

Each takes live tokenizers (transformers or anything with encode/decode/convert_ids_to_tokens),
either as a ``tokenizer_pair`` fixture value or as a ``(base, tuned)`` tuple.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

_SHOWN_IDS = 24  # ids shown on each side of a mismatch

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
    if isinstance(pair, (tuple, list)) and len(pair) == 2:
        return pair[0], pair[1]
    return pair.base, pair.tuned


def encode(tokenizer: Any, text: str, *, add_special_tokens: bool = True) -> list[int]:
    return list(tokenizer.encode(text, add_special_tokens=add_special_tokens))


def _tokens(tokenizer: Any, ids: Sequence[int]) -> list[str]:
    try:
        return [str(token) for token in tokenizer.convert_ids_to_tokens(list(ids))]
    except Exception:  # an id the tokenizer does not know: show it raw
        return [f"<id {token_id}>" for token_id in ids]


def first_difference(left: Sequence[int], right: Sequence[int]) -> int | None:
    for position, (a, b) in enumerate(zip(left, right)):
        if a != b:
            return position
    return None if len(left) == len(right) else min(len(left), len(right))


def _window(ids: Sequence[int], position: int) -> str:
    start = max(0, position - _SHOWN_IDS // 2)
    shown = list(ids[start : start + _SHOWN_IDS])
    prefix = "[..., " if start else "["
    suffix = ", ...]" if start + _SHOWN_IDS < len(ids) else "]"
    return prefix + ", ".join(str(token_id) for token_id in shown) + suffix


def describe_ids_mismatch(
    text: str,
    base_ids: Sequence[int],
    tuned_ids: Sequence[int],
    base: Any,
    tuned: Any,
    *,
    what: str = "ids",
    labels: tuple[str, str] = ("base", "tuned"),
) -> str:
    """The message shown when two id lists for `text` differ (base vs tuned, or golden vs now)."""
    position = first_difference(base_ids, tuned_ids) or 0
    base_token = _tokens(base, base_ids[position : position + 1]) if position < len(base_ids) else ["(end)"]
    tuned_token = _tokens(tuned, tuned_ids[position : position + 1]) if position < len(tuned_ids) else ["(end)"]
    left, right = labels
    width = max(len(left), len(right))
    return "\n".join(
        [
            f"{left} and {right} give different {what} for text {text!r}",
            f"  {left:<{width}} ({len(base_ids)} ids): {_window(base_ids, position)}",
            f"  {right:<{width}} ({len(tuned_ids)} ids): {_window(tuned_ids, position)}",
            f"  first difference at position {position}: {left} {base_token[0]!r}, {right} {tuned_token[0]!r}",
        ]
    )


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


def assert_round_trip(tokenizer: Any, text: str, *, add_special_tokens: bool = False) -> None:
    """decode(encode(text)) gives `text` back."""
    __tracebackhide__ = True
    ids = encode(tokenizer, text, add_special_tokens=add_special_tokens)
    decoded = tokenizer.decode(ids)
    if decoded != text:
        raise AssertionError(
            f"decode(encode(text)) does not give the text back\n  text:    {text!r}\n  decoded: {decoded!r}\n"
            f"  ids: {_window(ids, 0)}"
        )


def assert_same_decode(pair: Any, ids: Sequence[int], *, skip_special_tokens: bool = False) -> str:
    """Base and tuned decode `ids` to the same text; returns it."""
    __tracebackhide__ = True
    base, tuned = _sides(pair)
    base_text = base.decode(list(ids), skip_special_tokens=skip_special_tokens)
    tuned_text = tuned.decode(list(ids), skip_special_tokens=skip_special_tokens)
    if base_text != tuned_text:
        raise AssertionError(
            f"base and tuned decode {_window(ids, 0)} differently (skip_special_tokens={skip_special_tokens})\n"
            f"  base:  {base_text!r}\n  tuned: {tuned_text!r}"
        )
    return str(base_text)


def assert_single_token(tokenizer: Any, token: str) -> int:
    """`token` encodes to exactly one id (a special or added token kept whole); returns the id."""
    __tracebackhide__ = True
    ids = encode(tokenizer, token, add_special_tokens=False)
    if len(ids) != 1:
        raise AssertionError(
            f"{token!r} encodes to {len(ids)} ids, not one: {ids} = {_tokens(tokenizer, ids)}"
        )
    return ids[0]


def render_chat(tokenizer: Any, messages: list[dict[str, Any]], *, tokenize: bool, **kwargs: Any) -> Any:
    """apply_chat_template with the same return shape on transformers 4 and 5 (text, or a list of ids)."""
    rendered = tokenizer.apply_chat_template(messages, tokenize=tokenize, **kwargs)
    if tokenize and hasattr(rendered, "keys"):  # transformers 5 returns a BatchEncoding
        rendered = rendered["input_ids"]
    return list(rendered) if tokenize else rendered


def assert_same_chat_render(
    pair: Any, messages: list[dict[str, Any]], *, add_generation_prompt: bool = False, **kwargs: Any
) -> list[int]:
    """Base and tuned render `messages` to the same text and the same ids; returns the ids."""
    __tracebackhide__ = True
    base, tuned = _sides(pair)
    base_text = render_chat(base, messages, tokenize=False, add_generation_prompt=add_generation_prompt, **kwargs)
    tuned_text = render_chat(tuned, messages, tokenize=False, add_generation_prompt=add_generation_prompt, **kwargs)
    if base_text != tuned_text:
        position = next((i for i, (a, b) in enumerate(zip(base_text, tuned_text)) if a != b), min(len(base_text), len(tuned_text)))
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
