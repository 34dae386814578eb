"""The JSON types tokcheck's checks rely on, per file, checked once when the file is read: a value
of the wrong type (a string where a count belongs, a list where a flag does, NaN, a negative id) is
bad input, said in one line that names the file and the key, instead of a crash deep in a check.
Keys it does not name may hold anything; a key that is absent or null is always fine."""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Callable
from typing import Any

from tokcheck.errors import TokcheckUsageError

Rule = Callable[[Any], bool]


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _count(value: Any) -> bool:
    return _integer(value) and 0 <= value < 2**40


def _number(value: Any) -> bool:
    return (_integer(value) or isinstance(value, float)) and not (isinstance(value, float) and math.isnan(value))


def _ids(value: Any) -> bool:
    """An id (-1: "none", as some configs say), or a list, whose non-ids the snapshot skips."""
    return isinstance(value, list) or (_integer(value) and -1 <= value < 2**40)


def _flag(value: Any) -> bool:
    return isinstance(value, bool)


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _token(value: Any) -> bool:  # "<s>" or {"content": "<s>", ...}
    return isinstance(value, str) or (isinstance(value, dict) and isinstance(value.get("content"), str))


def _tokens(value: Any) -> bool:
    return isinstance(value, list) and all(_token(item) for item in value)


def _object(value: Any) -> bool:
    return isinstance(value, dict)


def _template(value: Any) -> bool:  # one template, or [{"name": ..., "template": ...}, ...]
    return isinstance(value, (str, dict)) or (
        isinstance(value, list) and all(isinstance(item, dict) and _text(item.get("template", "")) for item in value)
    )


def _added_decoder(value: Any) -> bool:
    return isinstance(value, dict) and all(
        str(key).lstrip("-").isdigit() and _count(int(key)) and isinstance(entry, dict) and _text(entry.get("content"))
        for key, entry in value.items()
    )


def _added_list(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(entry, dict) and _count(entry.get("id")) and _text(entry.get("content")) for entry in value
    )


# The vocabulary and merges hold hundreds of thousands of entries: their checks look at the set of
# types present (one pass in C) instead of calling a rule per entry. JSON gives exact types (a bool
# is of type bool, never int), so a type set is exactly the isinstance rules above; an empty
# container's set is empty, a subset of any.


def _types(values: Any) -> set[type]:
    return set(map(type, values))


def _vocab(value: Any) -> bool:
    if isinstance(value, dict):  # BPE, WordPiece: token -> id
        ids = value.values()
        return _types(ids) <= {int} and (not ids or (min(ids) >= 0 and max(ids) < 2**40))
    return (  # Unigram: [[piece, score], ...]
        isinstance(value, list) and _types(value) <= {list} and set(map(len, value)) <= {2}
        and _types(map(operator.itemgetter(0), value)) <= {str} and all(map(_number, map(operator.itemgetter(1), value)))
    )


def _merges(value: Any) -> bool:  # all "a b" strings, or all ["a", "b"] pairs: one format per file
    if not isinstance(value, list):
        return False
    types = _types(value)
    return types <= {str} or (
        types <= {list} and set(map(len, value)) <= {2} and _types(itertools.chain.from_iterable(value)) <= {str}
    )


_ROLES = ("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token")
_MODEL_CONFIG: dict[str, Rule] = {
    "vocab_size": _count, "bos_token_id": _ids, "eos_token_id": _ids, "pad_token_id": _ids,
    "decoder_start_token_id": _ids, "tie_word_embeddings": _flag, "text_config": _object,
    "architectures": lambda v: isinstance(v, list) and all(map(_text, v)),
}
SHAPES: dict[str, dict[str, Rule]] = {
    "tokenizer_config.json": {
        **{role: _token for role in _ROLES}, "additional_special_tokens": _tokens, "extra_special_tokens": lambda v: isinstance(v, dict) or _tokens(v),
        "added_tokens_decoder": _added_decoder, "model_max_length": _number, "chat_template": _template,
        "add_bos_token": _flag, "add_eos_token": _flag, "legacy": _flag, "add_prefix_space": _flag,
        "clean_up_tokenization_spaces": _flag, "split_special_tokens": _flag, "tokenizer_class": _text,
        "padding_side": _text, "truncation_side": _text, "auto_map": lambda v: isinstance(v, (dict, list)),
    },
    "special_tokens_map.json": {**{role: _token for role in _ROLES}, "additional_special_tokens": _tokens},
    "tokenizer.json": {"added_tokens": _added_list, "model": _object, "normalizer": _object,
                       "pre_tokenizer": _object, "post_processor": _object, "decoder": _object},
    "config.json": _MODEL_CONFIG,
    "generation_config.json": _MODEL_CONFIG,
    "chat_template.json": {"chat_template": _template},
}
# Inside tokenizer.json's "model".
MODEL_SHAPES: dict[str, Rule] = {"vocab": _vocab, "merges": _merges, "type": _text, "unk_token": _text,
                                 "byte_fallback": _flag, "ignore_merges": _flag}


def _describe(value: Any) -> str:
    shown = repr(value)
    return (shown[:60] + "...") if len(shown) > 60 else shown


def check_shapes(name: str, data: dict[str, Any], label: str) -> None:
    """Raise TokcheckUsageError (one line) at the first key of `name` whose value has the wrong type."""
    rules = SHAPES.get(name, {})
    for key, rule in rules.items():
        if data.get(key) is not None and not rule(data[key]):
            raise TokcheckUsageError(f"{label}: {key} is {_describe(data[key])}, which is not what this key holds")
    if name == "tokenizer.json" and isinstance(data.get("model"), dict):
        for key, rule in MODEL_SHAPES.items():
            value = data["model"].get(key)
            if value is not None and not rule(value):
                raise TokcheckUsageError(f"{label}: model.{key} is {_describe(value)}, which is not what this key holds")
    if name == "added_tokens.json" and not all(_count(token_id) for token_id in data.values()):
        raise TokcheckUsageError(f"{label}: every value must be a token id (a non-negative integer)")
    text_config = data.get("text_config")
    if name in ("config.json", "generation_config.json") and isinstance(text_config, dict):
        check_shapes(name, {k: v for k, v in text_config.items() if k != "text_config"}, f"{label} text_config")
