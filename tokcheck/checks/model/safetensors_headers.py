"""The safetensors header, parsed by hand: an 8-byte little-endian length, then that many bytes of
JSON naming each tensor's dtype, shape and byte range. Reading it costs one small read, no torch."""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tokcheck.errors import TokcheckUsageError

# Bytes per element of the dtypes safetensors names; others (sub-byte, packed) are listed as 0.
ITEM_SIZES = {
    "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U64": 8, "U32": 4,
    "U16": 2, "U8": 1, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1,
}
# The format caps the header at 100 MB; a larger length means the file is not safetensors.
MAX_HEADER = 100 * 1024 * 1024


@dataclass(frozen=True)
class TensorHeader:
    """One tensor as the header describes it; `offset` is absolute in the file."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    offset: int
    nbytes: int

    @property
    def rows(self) -> int:
        return self.shape[0] if self.shape else 0

    @property
    def row_bytes(self) -> int:
        columns = 1
        for size in self.shape[1:]:
            columns *= size
        return columns * ITEM_SIZES.get(self.dtype, 0)


@dataclass(frozen=True)
class SafetensorsHeader:
    path: Path
    tensors: dict[str, TensorHeader]
    metadata: dict[str, str]


def read_header(path: Path) -> SafetensorsHeader:
    """Parse a .safetensors file's header, or raise TokcheckUsageError with one line."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            prefix = handle.read(8)
            if len(prefix) < 8:
                raise TokcheckUsageError(f"{path}: not a safetensors file (shorter than its 8-byte header length)")
            (length,) = struct.unpack("<Q", prefix)
            if length > MAX_HEADER or 8 + length > size:
                raise TokcheckUsageError(f"{path}: not a safetensors file (header length {length} does not fit the file)")
            raw = handle.read(length)
    except OSError as error:
        raise TokcheckUsageError(f"{path}: cannot read ({error.strerror})") from None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # not UTF-8 or not JSON, an int past the parsing limit, deep nesting
        raise TokcheckUsageError(f"{path}: not a safetensors file (its header is not JSON)") from None
    if not isinstance(data, dict):
        raise TokcheckUsageError(f"{path}: not a safetensors file (its header is not a JSON object)")
    start = 8 + length
    tensors = {}
    for name, entry in data.items():
        if name == "__metadata__":
            continue
        tensors[name] = _tensor(path, name, entry, start, size)
    metadata = data.get("__metadata__")
    return SafetensorsHeader(path=path, tensors=tensors, metadata=dict(metadata) if isinstance(metadata, dict) else {})


def _tensor(path: Path, name: str, entry: Any, start: int, size: int) -> TensorHeader:
    try:
        dtype = str(entry["dtype"])
        shape = tuple(int(dim) for dim in entry["shape"])
        begin, end = (int(offset) for offset in entry["data_offsets"])
    except (KeyError, TypeError, ValueError):
        raise TokcheckUsageError(f"{path}: tensor {name!r} has a malformed header entry") from None
    if not 0 <= begin <= end or start + end > size:
        raise TokcheckUsageError(
            f"{path}: tensor {name!r} lies outside the file (bytes {begin}-{end} after the header; the file is truncated?)"
        )
    elements = 1
    for dim in shape:
        elements *= dim
    item = ITEM_SIZES.get(dtype)
    if item and elements * item != end - begin:
        raise TokcheckUsageError(
            f"{path}: tensor {name!r} is {dtype} {list(shape)} ({elements * item} bytes) but its header gives {end - begin} bytes"
        )
    return TensorHeader(name=name, dtype=dtype, shape=shape, offset=start + begin, nbytes=end - begin)
