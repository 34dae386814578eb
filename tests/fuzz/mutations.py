"""Hypothesis strategies that damage one file of a real checkpoint, per file kind: truncation at any
byte, an empty file, non-UTF-8 bytes, a flipped byte; for JSON files a hostile value at any key (a
string for a list, null, a huge int, a negative id, NaN, a lone surrogate, nesting deep enough to
break a recursive parser) or a missing key; id lies (past the vocabulary, near 2**31 and 2**63,
colliding, duplicated, negative) in added_tokens, added_tokens_decoder and the vocabulary; safetensors header lengths of 2**60 and offsets, dtypes and shapes that lie;
pickles holding objects that are not tensors."""

from __future__ import annotations

import json
import pickle
import struct
from collections.abc import Callable
from typing import Any

import hypothesis.strategies as st

DEEP = 100_000  # nesting depth: past any recursive parser's limit
HOSTILE_VALUES: list[Any] = [
    "x", "", None, True, 0, -1, -(2**63), 2**64, 10**30, 1e308, float("nan"), float("inf"), [], {}, [None], {"": None},
    ["x", 1], "\ud800", "<|begin_of_text|>", 3.5,
]
# Raw JSON texts no value can be dumped to: a 5000-digit int (past Python's int-parsing limit) and deep nesting.
RAW_VALUES = ["9" * 5000, "[" * DEEP + "]" * DEEP, '{"a":' * DEEP + "1" + "}" * DEEP]
_MARK = "\u0000tokcheck-fuzz-raw\u0000"


def byte_damage(original: bytes) -> st.SearchStrategy[bytes]:
    """Truncated at any byte, empty, non-UTF-8 bytes inserted, or one byte replaced."""
    size = len(original)
    return st.one_of(
        st.just(b""),
        st.integers(0, max(size - 1, 0)).map(lambda i: original[:i]),
        st.tuples(st.integers(0, size), st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x00", b"\x80\x80\x80"]))
        .map(lambda at: original[: at[0]] + at[1] + original[at[0] :]),
        st.tuples(st.integers(0, max(size - 1, 0)), st.integers(0, 255))
        .map(lambda at: original[: at[0]] + bytes([at[1]]) + original[at[0] + 1 :]),
    )


def key_paths(data: Any, depth: int = 4, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Key paths into a JSON document, `depth` keys deep at most. Of a long list, the first, second
    and last items, and the first item of each other shape (a finding with row norms among findings
    with token boxes, say)."""
    found = [prefix] if prefix else []
    if len(prefix) >= depth:
        return found
    if isinstance(data, dict):
        for key in sorted(data):
            found += key_paths(data[key], depth, (*prefix, key))
    elif isinstance(data, list) and data:
        picked = {0, min(1, len(data) - 1), len(data) - 1}
        firsts: dict[frozenset[tuple[Any, ...]], int] = {}
        for index, item in enumerate(data):
            firsts.setdefault(_shape(item), index)
        for index in sorted(picked | set(firsts.values())):
            found += key_paths(data[index], depth, (*prefix, index))
    return found


def _shape(data: Any, prefix: tuple[Any, ...] = ()) -> frozenset[tuple[Any, ...]]:
    """The key paths of a JSON value with list positions left out: equal for values of one shape."""
    if isinstance(data, dict):
        return frozenset({prefix}).union(*(_shape(value, (*prefix, key)) for key, value in data.items()))
    if isinstance(data, list):
        return frozenset({prefix}).union(*(_shape(item, (*prefix, "[]")) for item in data))
    return frozenset({prefix})


def _set(data: Any, path: tuple[Any, ...], value: Any, delete: bool = False) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(data))
    node = copy
    for key in path[:-1]:
        node = node[key]
    if delete and isinstance(node, dict):
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return copy


def _dump(data: Any) -> bytes:
    text = json.dumps(data, ensure_ascii=True)  # a lone surrogate stays an escape, as a broken writer leaves it
    for raw in RAW_VALUES:
        text = text.replace(json.dumps(_MARK + raw[:8]), raw)
    return text.encode("utf-8")


def json_damage(original: bytes, depth: int = 4) -> st.SearchStrategy[bytes]:
    """A hostile value at any key path (`depth` keys deep at most), a key removed, the whole
    document replaced, or byte damage."""
    data = json.loads(original)
    paths = key_paths(data, depth) or [()]
    value = st.one_of(st.sampled_from(HOSTILE_VALUES), st.sampled_from(RAW_VALUES).map(lambda raw: _MARK + raw[:8]))
    return st.one_of(
        st.tuples(st.sampled_from(paths), value).map(lambda pv: _dump(_set(data, pv[0], pv[1]))),
        st.sampled_from(paths).map(lambda p: _dump(_set(data, p, None, delete=True))),
        value.map(lambda v: _dump(v)),
        byte_damage(original),
    )


# Ids no real tokenizer has, at the edges of int32, int64 and u32, and far past any vocabulary:
# sized by, each would exhaust memory (an id of 10**12 did, through set(range(...))).
HUGE_IDS = [2**31 - 1, 2**31, 2**32, 2**63 - 1, 2**63, 10**12]
NEGATIVE_IDS = [-1, -5, -(2**31), -(2**63)]


def added_token_lies(original: bytes) -> st.SearchStrategy[bytes]:
    """tokenizer.json's added tokens with an id past the vocabulary (a little, or near 2**31 and
    2**63), colliding with another token, duplicated under a new name, negative, or missing; or a
    vocabulary entry's id made huge or negative."""
    data = json.loads(original)
    tokens = data["added_tokens"]
    vocab_ids = sorted(data["model"]["vocab"].values())
    vocab_tokens = sorted(data["model"]["vocab"])

    def lie(choice: tuple[int, int, Any]) -> bytes:
        which, kind, value = choice
        copy = json.loads(json.dumps(data))
        entry = copy["added_tokens"][which % len(tokens)]
        if kind == 0:
            entry["id"] = [10**6 + value % 1000, *HUGE_IDS][value % (len(HUGE_IDS) + 1)]  # past the vocabulary
        elif kind == 6:
            copy["model"]["vocab"][vocab_tokens[which % len(vocab_tokens)]] = [*HUGE_IDS, *NEGATIVE_IDS][value % 10]
        elif kind == 1:
            entry["id"] = vocab_ids[value % len(vocab_ids)]  # collides with a vocabulary token
        elif kind == 2:
            copy["added_tokens"].append({**entry, "content": f"<fuzz_{value % 100}>"})  # same id, new name
        elif kind == 3:
            entry["id"] = NEGATIVE_IDS[value % len(NEGATIVE_IDS)]
        elif kind == 4:
            del entry["id"]
        else:
            copy["added_tokens"].append(dict(entry))  # the very same entry twice
        return _dump(copy)

    return st.tuples(st.integers(0, 1000), st.integers(0, 6), st.integers(0, 10**6)).map(lie)


def decoder_id_lies(original: bytes) -> st.SearchStrategy[bytes]:
    """tokenizer_config.json's added_tokens_decoder with a key (an id) made huge or negative."""
    data = json.loads(original)
    keys = sorted(data.get("added_tokens_decoder") or {}) or ["0"]

    def lie(choice: tuple[int, int]) -> bytes:
        which, value = choice
        copy = json.loads(json.dumps(data))
        decoder = copy.setdefault("added_tokens_decoder", {})
        entry = decoder.pop(keys[which % len(keys)], {"content": "<fuzz>", "special": True})
        decoder[str([*HUGE_IDS, *NEGATIVE_IDS][value % 10])] = entry
        return _dump(copy)

    return st.tuples(st.integers(0, 1000), st.integers(0, 9)).map(lie)


def text_damage(original: bytes) -> st.SearchStrategy[bytes]:
    """Line-level damage of a text file (vocab.txt, merges.txt, a Jinja template): a line dropped,
    duplicated, or replaced by hostile text; or byte damage."""
    lines = original.split(b"\n")
    hostile = st.sampled_from([b"", b" ", b"a b c", b"#version: 9", b"\xff\xfe", b"\x00" * 10, b"x" * 100_000,
                               b"{{", b"{% for %}", b"{% endfor %}", b"{{ raise_exception('fuzz') }}"])

    def edit(choice: tuple[int, int, bytes]) -> bytes:
        at, kind, text = choice
        copy = list(lines)
        at %= len(copy)
        if kind == 0:
            del copy[at]
        elif kind == 1:
            copy.insert(at, copy[at])
        else:
            copy[at] = text
        return b"\n".join(copy)

    return st.one_of(st.tuples(st.integers(0, 10**6), st.integers(0, 2), hostile).map(edit), byte_damage(original))


def safetensors_damage(original: bytes) -> st.SearchStrategy[bytes]:
    """A header length of 2**60 (or 0, or one past the file), or a header whose offsets run past the
    end, overlap, go backwards, or whose dtype or shape lie about the bytes; or byte damage."""
    (length,) = struct.unpack("<Q", original[:8])
    header = json.loads(original[8 : 8 + length])
    body = original[8 + length :]
    names = sorted(name for name in header if name != "__metadata__")

    def with_length(value: int) -> bytes:
        return struct.pack("<Q", value) + original[8:]

    def with_header(choice: tuple[int, int, int]) -> bytes:
        which, kind, value = choice
        copy = json.loads(json.dumps(header))
        entry = copy[names[which % len(names)]]
        begin, end = entry["data_offsets"]
        if kind == 0:
            entry["data_offsets"] = [begin, len(body) + 1 + value]  # past the end
        elif kind == 1:
            entry["data_offsets"] = [0, end - begin]  # overlaps the first tensor
        elif kind == 2:
            entry["data_offsets"] = [end, begin]  # backwards
        elif kind == 3:
            entry["dtype"] = ["F16", "I64", "BOOL", "F4", "NOPE", 7][value % 6]  # dtype lie
        elif kind == 4:
            entry["shape"] = [[value, 8], [-value - 1, 8], [2**62, 2**62], [], [0], "8"][value % 6]  # shape lie
        else:
            entry["data_offsets"] = [-value - 1, end]
        raw = json.dumps(copy).encode()
        return struct.pack("<Q", len(raw)) + raw + body

    return st.one_of(
        st.sampled_from([2**60, 2**64 - 1, 0, len(original), length + 1, length - 1]).map(with_length),
        st.tuples(st.integers(0, 100), st.integers(0, 5), st.integers(0, 10**6)).map(with_header),
        byte_damage(original),
    )


class Evil:
    """Unpickled unsafely, this would create the file its path names: proof it never is."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return (open, (self.path, "w"))


def pickle_damage(sentinel: str) -> st.SearchStrategy[bytes]:
    """A pytorch_model.bin that is a plain pickle of non-tensor objects (one that would write
    `sentinel` if unpickled unsafely), a zip signature with nothing after it, or random bytes."""
    objects = st.sampled_from([Evil(sentinel), {"model.embed_tokens.weight": Evil(sentinel)}, [1, 2, 3], {"a": "b"}, None])
    return st.one_of(
        st.tuples(objects, st.integers(0, 5)).map(lambda op: pickle.dumps(op[0], protocol=op[1])),
        st.sampled_from([b"PK\x03\x04", b"PK\x03\x04" + b"\x00" * 100, b"\x80\x02", b""]),
        st.binary(max_size=512),
    )


# GGUF value-type codes (the format's spec): what precedes an array's item count.
_GGUF_ARRAY, _GGUF_STRING = 9, 8


def _gguf_count_at(original: bytes, key: bytes) -> int | None:
    at = original.find(key)
    return None if at < 0 else at + len(key) + 8  # past the array's value type and its item type (uint32 each)


def gguf_count_lie(key: bytes, claim: int) -> Callable[[bytes], bytes]:
    """The GGUF with array `key` claiming `claim` items."""
    def edit(original: bytes) -> bytes:
        at = _gguf_count_at(original, key)
        assert at is not None, key
        return original[:at] + struct.pack("<Q", claim) + original[at + 8 :]
    return edit


def gguf_damage(original: bytes) -> st.SearchStrategy[bytes]:
    """byte_damage, or an array whose item count lies: tokenizer.ggml.tokens (or merges, types)
    claiming 2**40 or 2**63 items, one more or fewer than it holds, or none."""
    lies = []
    for key in (b"tokenizer.ggml.tokens", b"tokenizer.ggml.merges", b"tokenizer.ggml.token_type"):
        at = _gguf_count_at(original, key)
        if at is not None:
            (count,) = struct.unpack_from("<Q", original, at)
            lies += [gguf_count_lie(key, claim)(original) for claim in (2**40, 2**63, 2**64 - 1, count + 1, max(count - 1, 0), 0)]
    return st.one_of(byte_damage(original), st.sampled_from(lies)) if lies else byte_damage(original)

