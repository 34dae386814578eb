"""The key-value section and tensor index of a GGUF file, read over a memory map: never tensor
data, never the whole file into memory. Numeric arrays (token types, scores) are numpy views of the
map, copied out; string arrays (tokens, merges) are walked once, length by length. gguf's own GGUFReader makes a
numpy view per element and so takes seconds for a 150k-token vocabulary; this takes a fraction.

Every malformed input (truncated, a count larger than the file, an unknown value type, not GGUF at
all) raises GGUFFormatError with one line that names the offset and the key being read."""

from __future__ import annotations

import hashlib
import mmap
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)

# GGUF value types (gguf.constants.GGUFValueType), fixed by the format.
UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64 = range(13)
_SCALARS: dict[int, str] = {
    UINT8: "<u1", INT8: "<i1", UINT16: "<u2", INT16: "<i2", UINT32: "<u4", INT32: "<i4",
    FLOAT32: "<f4", BOOL: "<u1", UINT64: "<u8", INT64: "<i8", FLOAT64: "<f8",
}
_STRUCT: dict[int, str] = {
    UINT8: "<B", INT8: "<b", UINT16: "<H", INT16: "<h", UINT32: "<I", INT32: "<i",
    FLOAT32: "<f", BOOL: "<B", UINT64: "<Q", INT64: "<q", FLOAT64: "<d",
}


class GGUFFormatError(ValueError):
    """A file that is not a readable GGUF: the message is one line."""


@dataclass
class GGUFContents:
    """What a GGUF file says before its tensor data: the version, every key and its value (scalars
    as Python values, strings as str, string arrays as lists of str, numeric arrays as numpy
    arrays), and each tensor's shape as GGUF lists it (ne[0] first)."""

    path: Path
    version: int
    fields: dict[str, Any]
    tensor_shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    field_types: dict[str, tuple[int, int | None]] = field(default_factory=dict)  # (type, array item type)
    # sha256 of the bytes parsed (header, key-value section and, when read, the tensor index): what
    # a report names as this side's content, since hashing the tensor data would read gigabytes.
    metadata_sha256: str = ""
    # Where the tensor index starts and ends (with `tensors`): tokcheck fix copies from there on as it is.
    index_start: int = 0
    index_end: int = 0


class _Cursor:
    def __init__(self, data: mmap.mmap, path: Path) -> None:
        self.data = data
        self.size = len(data)
        self.offset = 0
        self.path = path
        self.context = "the header"

    def fail(self, what: str) -> GGUFFormatError:
        return GGUFFormatError(f"{self.path}: not a readable GGUF: {what} at byte {self.offset} ({self.context})")

    def need(self, count: int) -> None:
        if count < 0 or self.offset + count > self.size:
            raise self.fail(f"truncated: {count} more bytes needed, the file has {self.size - self.offset}")

    def unpack(self, fmt: str) -> Any:
        size = struct.calcsize(fmt)
        self.need(size)
        value = struct.unpack_from(fmt, self.data, self.offset)[0]
        self.offset += size
        return value

    def string(self) -> str:
        length = self.unpack("<Q")
        self.need(length)
        start = self.offset
        self.offset += length
        try:
            return self.data[start : self.offset].decode("utf-8")
        except UnicodeDecodeError:  # llama.cpp stores some token pieces as raw bytes; keep them visible
            return self.data[start : self.offset].decode("utf-8", errors="surrogateescape")

    def strings(self, count: int) -> list[str]:
        # Each string is at least its 8-byte length: a count the file cannot hold is a lie.
        self.need(count * 8)
        data, offset, size = self.data, self.offset, self.size
        unpack_length = struct.Struct("<Q").unpack_from
        out: list[str] = [""] * count
        for index in range(count):
            if offset + 8 > size:
                self.offset = offset
                raise self.fail(f"truncated in string {index} of {count}")
            (length,) = unpack_length(data, offset)
            offset += 8
            end = offset + length
            if end > size:
                self.offset = offset
                raise self.fail(f"truncated in string {index} of {count}: {length} bytes claimed")
            raw = data[offset:end]
            try:
                out[index] = raw.decode("utf-8")
            except UnicodeDecodeError:
                out[index] = raw.decode("utf-8", errors="surrogateescape")
            offset = end
        self.offset = offset
        return out

    def array(self, item_type: int, count: int) -> Any:
        if item_type == STRING:
            return self.strings(count)
        if item_type in _SCALARS:
            import numpy as np  # not at import: the plugin, which resolves specs, loads without numpy

            dtype = np.dtype(_SCALARS[item_type])
            self.need(count * dtype.itemsize)
            # Copied at once: a view would pin the map, whose close then fails (BufferError) when
            # a later key turns out malformed and the error unwinds through the `with`.
            values = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.offset).copy()
            self.offset += count * dtype.itemsize
            return values.astype(bool) if item_type == BOOL else values
        if item_type == ARRAY:  # nested arrays: rare (no tokenizer key uses them); walk them
            return [self.value(ARRAY) for _ in range(count)]
        raise self.fail(f"unknown array item type {item_type}")

    def value(self, value_type: int) -> Any:
        if value_type == STRING:
            return self.string()
        if value_type == ARRAY:
            item_type = self.unpack("<I")
            count = self.unpack("<Q")
            return self.array(item_type, count)
        if value_type in _SCALARS:
            value = self.unpack(_STRUCT[value_type])
            return bool(value) if value_type == BOOL else value
        raise self.fail(f"unknown value type {value_type}")


def read_gguf(path: Path, *, tensors: bool = True) -> GGUFContents:
    """Parse the header, the key-value section and (with `tensors`) the tensor index of `path`."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            if handle.seek(0, 2) == 0:
                raise GGUFFormatError(f"{path}: not a readable GGUF: the file is empty")
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                return _parse(_Cursor(data, path), tensors)
    except OSError as error:
        raise GGUFFormatError(f"{path}: cannot read ({error.strerror})") from None


def _parse(cursor: _Cursor, tensors: bool) -> GGUFContents:
    cursor.need(4)
    if cursor.data[:4] != MAGIC:
        raise GGUFFormatError(f"{cursor.path}: not a GGUF file (it does not start with b'GGUF')")
    cursor.offset = 4
    version = cursor.unpack("<I")
    if version not in SUPPORTED_VERSIONS:
        swapped = struct.unpack("<I", struct.pack(">I", version))[0]
        kind = "a big-endian GGUF" if swapped in SUPPORTED_VERSIONS else f"GGUF version {version}"
        raise GGUFFormatError(f"{cursor.path}: {kind} is not supported (versions 2 and 3, little-endian, are)")
    tensor_count = cursor.unpack("<Q")
    kv_count = cursor.unpack("<Q")
    # A key-value pair takes at least 12 bytes and a tensor entry 24: counts beyond the file are lies.
    if kv_count * 12 > cursor.size or tensor_count * 24 > cursor.size:
        raise cursor.fail(f"the header claims {kv_count} keys and {tensor_count} tensors, more than the file can hold")
    contents = GGUFContents(path=cursor.path, version=version, fields={})
    for index in range(kv_count):
        cursor.context = f"key {index} of {kv_count}"
        key = cursor.string()
        cursor.context = f"key {key!r}"
        value_type = cursor.unpack("<I")
        item_type = None
        if value_type == ARRAY:
            item_type = cursor.unpack("<I")
            count = cursor.unpack("<Q")
            value = cursor.array(item_type, count)
        else:
            value = cursor.value(value_type)
        contents.fields[key] = value
        contents.field_types[key] = (value_type, item_type)
    contents.index_start = cursor.offset
    if tensors:
        for index in range(tensor_count):
            cursor.context = f"tensor {index} of {tensor_count}"
            name = cursor.string()
            n_dims = cursor.unpack("<I")
            if n_dims > 8:
                raise cursor.fail(f"tensor {name!r} claims {n_dims} dimensions")
            shape = tuple(cursor.unpack("<Q") for _ in range(n_dims))
            cursor.unpack("<I")  # ggml type
            cursor.unpack("<Q")  # data offset
            contents.tensor_shapes[name] = shape
        contents.index_end = cursor.offset
    contents.metadata_sha256 = hashlib.sha256(cursor.data[: cursor.offset]).hexdigest()
    return contents
