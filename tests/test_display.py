"""How texts, ids and values are shown: nothing invisible, unusual characters named, literals that
evaluate back, and the first difference of two id lists with both tokens and the ids around it."""

from __future__ import annotations

import pytest

from tokcheck.display import (
    SHOWN_IDS,
    describe_ids_mismatch,
    escaped,
    first_difference,
    id_window,
    literal,
    named_characters,
    token_strings,
)


class Namer:
    """A tokenizer stand-in that names id N 'tN' and knows ids below 100."""

    def convert_ids_to_tokens(self, ids: list[int]) -> list[str]:
        if any(i >= 100 for i in ids):
            raise IndexError("unknown id")
        return [f"t{i}" for i in ids]


@pytest.mark.parametrize(
    "text, shown",
    [
        ("a b", "'a b'"),
        ("tab\there\r\n", "'tab\\there\\r\\n'"),
        ("it's", "'it\\'s'"),
        ("\xa0\u200b\ufeff", "'\\xa0\\u200b\\ufeff'"),
        ("e\u0301", "'e\\u0301'"),
        ("ﬁ", "'\\ufb01'"),
        ("日本語 Привет 🦙", "'日本語 Привет 🦙'"),
        ("\x00\x1f", "'\\x00\\x1f'"),
    ],
)
def test_escaped_hides_nothing_and_keeps_scripts_readable(text: str, shown: str) -> None:
    assert escaped(text) == shown


def test_named_characters_say_what_the_escapes_are() -> None:
    assert named_characters("a\xa0ﬁ") == "U+00A0 NO-BREAK SPACE, U+FB01 LATIN SMALL LIGATURE FI"
    assert named_characters("plain") == ""


@pytest.mark.parametrize("value", ["it's", 'say "hi"', "both ' and \"", "back\\slash\"", "x\xa0😀\n", {"role": "user", "content": "it's"}, [1, None, True]])
def test_literal_is_ascii_python_that_evaluates_back(value: object) -> None:
    source = literal(value)
    assert source.isascii()
    assert eval(source) == value


@pytest.mark.parametrize(
    "left, right, position",
    [([1, 2, 3], [1, 2, 3], None), ([1, 2, 3], [1, 9, 3], 1), ([1, 2], [1, 2, 3], 2), ([], [5], 0),
     ("abc", "abd", 2), ("ab", "abc", 2), ("", "", None)],
)
def test_first_difference_of_ids_or_texts(left: list[int] | str, right: list[int] | str, position: int | None) -> None:
    assert first_difference(left, right) == position


def test_id_window_shows_the_ids_around_a_position_and_marks_what_is_cut() -> None:
    ids = list(range(100))
    assert id_window([1, 2, 3], 0) == "[1, 2, 3]"
    shown = id_window(ids, 50)
    assert shown.startswith("[..., 38, ") and shown.endswith(", 61, ...]") and shown.count(",") == SHOWN_IDS + 1


def test_an_ids_mismatch_names_the_first_differing_tokens_of_both_sides() -> None:
    message = describe_ids_mismatch("hi", [1, 2, 3], [1, 7], Namer(), Namer())
    assert message.splitlines() == [
        "base and tuned give different ids for text 'hi'",
        "  base  (3 ids): [1, 2, 3]",
        "  tuned (2 ids): [1, 7]",
        "  first difference at position 1: base 't2', tuned 't7'",
    ]
    golden = describe_ids_mismatch("x", [1], [1, 4], Namer(), Namer(), labels=("golden", "now"))
    assert "first difference at position 1: golden '(end)', now 't4'" in golden


def test_unknown_ids_are_shown_raw_instead_of_failing() -> None:
    assert token_strings(Namer(), [1, 200]) == ["<id 1>", "<id 200>"]
