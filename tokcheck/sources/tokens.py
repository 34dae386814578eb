"""What a special or added token is, in every place that reads one: the special roles, the
added-token flags (in one order), the AddedToken record of a snapshot, and a token value as saved."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SPECIAL_ROLES = ("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token")
ADDED_TOKEN_FLAGS = ("special", "normalized", "lstrip", "rstrip", "single_word")


@dataclass(frozen=True)
class AddedToken:
    id: int
    content: str
    special: bool = False
    normalized: bool = True
    lstrip: bool = False
    rstrip: bool = False
    single_word: bool = False

    def flags(self) -> dict[str, bool]:
        return {flag: getattr(self, flag) for flag in ADDED_TOKEN_FLAGS}


def flag_values(token: Any) -> tuple[bool, ...]:
    """The flags of an added token in ADDED_TOKEN_FLAGS order, from a snapshot's AddedToken or a
    live one (tokenizers.AddedToken has the same attribute names)."""
    return tuple(bool(getattr(token, flag)) for flag in ADDED_TOKEN_FLAGS)


def token_content(value: Any) -> str | None:
    """A special-token value as saved: a string, an AddedToken dict, or null."""
    if isinstance(value, dict):
        value = value.get("content")
    return None if value is None else str(value)
