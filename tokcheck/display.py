"""How tokcheck shows texts, ids and values to a person: escaped texts in which nothing is
invisible, the names of unusual characters, Python literals for reproduction lines, JSON values on one line, and the first
place where two sequences differ with both id lists around it. Pure functions of plain data."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from typing import Any

_NAMED_CHARS = 8  # non-ASCII characters named under an escaped text
SHOWN_IDS = 24  # ids shown on each side of a mismatch


def escaped(text: str) -> str:
    """`text` as a Python literal in which nothing is invisible or ambiguous: whitespace, controls,
    format characters, combining marks and characters that Unicode normalization would change are
    escaped; other letters (CJK, Cyrillic, emoji ...) stay readable."""
    out = []
    for char in text:
        if char.isascii():
            out.append(repr(char)[1:-1] if char != "'" else "\\'")
            continue
        category = unicodedata.category(char)
        if category[0] in "MZC" or unicodedata.normalize("NFKC", char) != char or not char.isprintable():
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)
    return "'" + "".join(out) + "'"


def named_characters(text: str) -> str:
    """'U+00A0 NO-BREAK SPACE, U+FB01 LATIN SMALL LIGATURE FI' for the first non-ASCII characters."""
    seen: list[str] = []
    for char in text:
        if not char.isascii() and char not in seen:
            seen.append(char)
    if not seen:
        return ""
    names = [f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}" for c in seen[:_NAMED_CHARS]]
    return ", ".join(names) + (f" and {len(seen) - _NAMED_CHARS} more" if len(seen) > _NAMED_CHARS else "")


def literal(value: Any) -> str:
    """`value` (str, int, bool, None, list, dict of those) as ASCII Python source with strings in
    double quotes, so that a reproduction line needs shell escaping only for apostrophes."""
    if isinstance(value, str):
        inner = ascii(value)[1:-1]
        return '"' + (inner.replace('"', '\\"') if ascii(value)[0] == "'" else inner) + '"'
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    return repr(value)


def compact(value: Any, limit: int = 120) -> str:
    """A JSON value on one line, shortened for a report."""
    if isinstance(value, str):
        rendered = repr(value)
    else:
        rendered = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return rendered if len(rendered) <= limit else rendered[: limit - 3] + "..."


def first_difference(left: Sequence[Any], right: Sequence[Any]) -> int | None:
    """The first position where two id lists (or texts) differ, the shorter one's length when one
    is a prefix of the other, or None when they are equal."""
    for position, (a, b) in enumerate(zip(left, right)):
        if a != b:
            return position
    return None if len(left) == len(right) else min(len(left), len(right))


def token_strings(tokenizer: Any, ids: Sequence[int]) -> list[str]:
    """The tokens of `ids` as the tokenizer names them, or '<id N>' when it cannot. `tokenizer`:
    Any, as what names tokens may be a live tokenizer, a behaviour view's codec (a layer above
    this one) or None (then the ids are shown raw)."""
    try:
        return [str(token) for token in tokenizer.convert_ids_to_tokens(list(ids))]
    except Exception:  # an id the tokenizer does not know: show it raw
        return [f"<id {token_id}>" for token_id in ids]


def id_window(ids: Sequence[int], position: int) -> str:
    """Up to SHOWN_IDS ids around `position`, with '...' where the list goes on."""
    start = max(0, position - SHOWN_IDS // 2)
    shown = list(ids[start : start + SHOWN_IDS])
    prefix = "[..., " if start else "["
    suffix = ", ...]" if start + SHOWN_IDS < len(ids) else "]"
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
    """The message shown when two id lists for `text` differ (base vs tuned, or golden vs now);
    `base` and `tuned` name the tokens (anything with convert_ids_to_tokens)."""
    position = first_difference(base_ids, tuned_ids) or 0
    base_token = token_strings(base, base_ids[position : position + 1]) if position < len(base_ids) else ["(end)"]
    tuned_token = token_strings(tuned, tuned_ids[position : position + 1]) if position < len(tuned_ids) else ["(end)"]
    left, right = labels
    width = max(len(left), len(right))
    return "\n".join(
        [
            f"{left} and {right} give different {what} for text {text!r}",
            f"  {left:<{width}} ({len(base_ids)} ids): {id_window(base_ids, position)}",
            f"  {right:<{width}} ({len(tuned_ids)} ids): {id_window(tuned_ids, position)}",
            f"  first difference at position {position}: {left} {base_token[0]!r}, {right} {tuned_token[0]!r}",
        ]
    )
