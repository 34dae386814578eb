"""Canonical forms of tokenizer.json parts, so that pure re-serialization never reads as drift.

Pipeline components go through the installed `tokenizers` library and back (it fills defaults and
upgrades legacy spellings the same way for both sides), then lose the settings that change only
character offsets, never ids or decoded text; model parameters get their documented defaults;
merges become (left, right) pairs whether saved as "a b" strings or as pairs.
"""

from __future__ import annotations

import json
from typing import Any

COMPONENTS = ("normalizer", "pre_tokenizer", "post_processor", "decoder")

# Defaults that tokenizers assumes when a key is absent; newer releases write them out explicitly
# (e.g. "ignore_merges": false appeared in files that never had it).
MODEL_DEFAULTS: dict[str, dict[str, Any]] = {
    "BPE": {
        "dropout": None,
        "unk_token": None,
        "continuing_subword_prefix": None,
        "end_of_word_suffix": None,
        "fuse_unk": False,
        "byte_fallback": False,
        "ignore_merges": False,
    },
    "WordPiece": {"unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100},
    "Unigram": {"unk_id": None, "byte_fallback": False},
    "WordLevel": {"unk_token": None},
}
_MODEL_DATA_KEYS = ("vocab", "merges")
# A placeholder model, so that a pipeline can be round-tripped without its (large) vocabulary.
_PLACEHOLDER_MODEL = {"type": "WordLevel", "vocab": {"[UNK]": 0}, "unk_token": "[UNK]"}


def model_type(model: dict[str, Any]) -> str | None:
    kind = model.get("type")
    if kind:
        return str(kind)
    # Files written by very old tokenizers releases carry no "type"; infer it from the shape.
    if "merges" in model:
        return "BPE"
    if isinstance(model.get("vocab"), list):
        return "Unigram"
    if "continuing_subword_prefix" in model or "max_input_chars_per_word" in model:
        return "WordPiece"
    return "WordLevel" if "vocab" in model else None


def model_params(model: dict[str, Any]) -> dict[str, Any]:
    """Every model key except the vocabulary and merges, with absent keys set to their default."""
    kind = model_type(model) or ""
    params = dict(MODEL_DEFAULTS.get(kind, {}))
    params.update({key: value for key, value in model.items() if key not in _MODEL_DATA_KEYS and key != "type"})
    for affix in ("continuing_subword_prefix", "end_of_word_suffix"):
        if kind == "BPE" and params.get(affix) == "":  # some writers say "" where others say null
            params[affix] = None
    return params


def merges(model: dict[str, Any]) -> tuple[list[tuple[str, str]] | None, str | None]:
    """The merges as (left, right) pairs, and the format they were saved in ("strings" or "pairs")."""
    raw = model.get("merges")
    if raw is None:
        return None, None
    if not raw:
        return [], None
    if isinstance(raw[0], str):
        pairs = []
        for merge in raw:
            left, _, right = merge.partition(" ")
            pairs.append((left, right))
        return pairs, "strings"
    return list(map(tuple, raw)), "pairs"  # each a pair of strings: the shape check saw to it


def components(tokenizer_json: dict[str, Any]) -> dict[str, Any]:
    """normalizer, pre_tokenizer, post_processor and decoder, as the installed tokenizers writes them."""
    raw = {name: tokenizer_json.get(name) for name in COMPONENTS}
    # Here, not at the top: the plugin imports this module (through the session) at pytest start.
    from tokenizers import Tokenizer

    shell: dict[str, Any] = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [],
        **raw,
        "model": _PLACEHOLDER_MODEL,
    }
    try:
        rewritten: dict[str, Any] = json.loads(Tokenizer.from_str(json.dumps(shell)).to_str())
    except Exception:  # deliberate (tests/test_silent_excepts.py): tokenizers raises a plain Exception
        # for a component this tokenizers release cannot read: compare it as saved (keys sorted).
        rewritten = json.loads(json.dumps(raw, sort_keys=True))
    return {name: _without_offset_settings(name, rewritten.get(name)) for name in COMPONENTS}


# ByteLevel's flags as a decoder or post-processor, and its trim_offsets as a pre-tokenizer, only
# move offsets (transformers 5's Qwen2Tokenizer, for one, rewrites them on every save).
_OFFSET_ONLY: dict[str, dict[str, tuple[str, ...]]] = {
    "pre_tokenizer": {"ByteLevel": ("trim_offsets",)},
    "post_processor": {"ByteLevel": ("add_prefix_space", "trim_offsets", "use_regex")},
    "decoder": {"ByteLevel": ("add_prefix_space", "trim_offsets", "use_regex")},
}
_CHILDREN = ("pretokenizers", "processors", "decoders", "normalizers")


def _without_offset_settings(kind: str, component: Any) -> Any:
    if not isinstance(component, dict):
        return component
    dropped = _OFFSET_ONLY.get(kind, {}).get(component.get("type", ""), ())
    cleaned = {key: value for key, value in component.items() if key not in dropped}
    for key in _CHILDREN:
        if isinstance(cleaned.get(key), list):
            cleaned[key] = [_without_offset_settings(kind, child) for child in cleaned[key]]
    return cleaned
