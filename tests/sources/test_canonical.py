"""Canonical forms of tokenizer.json parts: what re-serialization changes (key order, defaults
written out, merges as strings or pairs, offset-only flags) compares equal; what changes ids does not."""

from __future__ import annotations

from typing import Any

import pytest

from tokcheck.sources import canonical


@pytest.mark.parametrize(
    "model, kind",
    [({"type": "BPE", "vocab": {}}, "BPE"), ({"vocab": {}, "merges": []}, "BPE"), ({"vocab": [["a", 0.0]]}, "Unigram"),
     ({"vocab": {}, "continuing_subword_prefix": "##"}, "WordPiece"), ({"vocab": {}}, "WordLevel"), ({}, None)],
)
def test_model_type_is_read_or_inferred_from_the_shape_old_files_have(model: dict[str, Any], kind: str | None) -> None:
    assert canonical.model_type(model) == kind


def test_model_parameters_fill_the_defaults_newer_tokenizers_write_out() -> None:
    old = {"type": "BPE", "vocab": {"a": 0}, "merges": [], "byte_fallback": False}
    new = {**old, "ignore_merges": False, "fuse_unk": False, "dropout": None, "continuing_subword_prefix": ""}
    assert canonical.model_params(old) == canonical.model_params(new)
    assert canonical.model_params({**old, "ignore_merges": True})["ignore_merges"] is True
    assert "vocab" not in canonical.model_params(old) and "merges" not in canonical.model_params(old)


def test_merges_as_strings_and_as_pairs_are_the_same_merges() -> None:
    strings, string_format = canonical.merges({"merges": ["a b", "ab c"]})
    pairs, pair_format = canonical.merges({"merges": [["a", "b"], ["ab", "c"]]})
    assert strings == pairs == [("a", "b"), ("ab", "c")]
    assert (string_format, pair_format) == ("strings", "pairs")
    assert canonical.merges({}) == (None, None) and canonical.merges({"merges": []}) == ([], None)


def _byte_level(**flags: Any) -> dict[str, Any]:
    return {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True, **flags}


def test_offset_only_flags_are_dropped_and_the_rest_kept_as_tokenizers_writes_them() -> None:
    saved = {"pre_tokenizer": _byte_level(), "decoder": _byte_level(), "post_processor": _byte_level()}
    resaved = {"pre_tokenizer": _byte_level(trim_offsets=False), "decoder": _byte_level(add_prefix_space=True),
               "post_processor": _byte_level(trim_offsets=False, use_regex=False)}
    assert canonical.components(saved) == canonical.components(resaved)
    prefixed = canonical.components({"pre_tokenizer": _byte_level(add_prefix_space=True)})
    assert prefixed["pre_tokenizer"] != canonical.components(saved)["pre_tokenizer"]  # ids change: kept
    assert canonical.components({})["normalizer"] is None


def test_a_component_this_tokenizers_cannot_read_is_compared_as_saved_with_sorted_keys() -> None:
    unknown = {"normalizer": {"type": "FromTheFuture", "b": 1, "a": 2}}
    assert canonical.components(unknown)["normalizer"] == {"a": 2, "b": 1, "type": "FromTheFuture"}
