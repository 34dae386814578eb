"""The shape rules for tokenizer.json's vocabulary and merges, which look at the set of types of
hundreds of thousands of entries at once: each must accept exactly what a per-entry rule would."""

from __future__ import annotations

from typing import Any

import pytest

from tokcheck.errors import TokcheckUsageError
from tokcheck.sources.shapes import check_shapes

GOOD = {
    "a vocab": {"vocab": {"a": 0, "b": 1}},
    "an empty vocab": {"vocab": {}},
    "a Unigram vocab": {"vocab": [["a", -1.5], ["b", 0]]},
    "merges as strings": {"merges": ["a b", "ab c"]},
    "merges as pairs": {"merges": [["a", "b"], ["ab", "c"]]},
    "no merges": {"merges": []},
}
BAD = {
    "a bool id": {"vocab": {"a": 0, "b": True}},
    "a negative id": {"vocab": {"a": -1}},
    "a float id": {"vocab": {"a": 1.0}},
    "an id past 2**40": {"vocab": {"a": 2**40}},
    "a vocab string": {"vocab": "a"},
    "a Unigram score that is text": {"vocab": [["a", "x"]]},
    "a Unigram NaN": {"vocab": [["a", float("nan")]]},
    "a Unigram piece that is a number": {"vocab": [[1, 0.5]]},
    "a Unigram entry of three": {"vocab": [["a", 0.5, 1]]},
    "merges mixing formats": {"merges": ["a b", ["c", "d"]]},
    "a merge of one token": {"merges": [["a", "b"], ["c"]]},
    "a merge of numbers": {"merges": [[1, 2]]},
    "merges as ints": {"merges": [5, 6]},
    "merges as a string": {"merges": "a b"},
}


@pytest.mark.parametrize("model", GOOD.values(), ids=GOOD.keys())
def test_well_formed_vocabularies_and_merges_pass(model: dict[str, Any]) -> None:
    check_shapes("tokenizer.json", {"model": model}, "tokenizer.json")


@pytest.mark.parametrize("model", BAD.values(), ids=BAD.keys())
def test_a_wrong_type_anywhere_in_the_vocabulary_or_merges_is_one_usage_error(model: dict[str, Any]) -> None:
    with pytest.raises(TokcheckUsageError, match=r"model\.(vocab|merges) is .*not what this key holds"):
        check_shapes("tokenizer.json", {"model": model}, "tokenizer.json")
