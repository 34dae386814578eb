"""Single rows of an embedding matrix, read by byte offset from a safetensors file (BF16, F16, F32,
F64) and widened to float32; a whole tensor is never loaded. Torch files go through torch with mmap."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tokcheck.checks.model.tensor import Tensor
from tokcheck.errors import TokcheckUsageError

# numpy has no bfloat16: BF16 is read as uint16 and widened by hand (the top half of a float32).
_NUMPY_DTYPES = {"F16": "<f2", "F32": "<f4", "F64": "<f8", "BF16": "<u2"}
_TORCH_FLOATS = {"float16", "float32", "float64", "bfloat16"}


class UnreadableRows(Exception):
    """The rows are stored in a form tokcheck does not decode (quantized, packed, fp8)."""


def readable(tensor: Tensor) -> bool:
    return tensor.dtype in (_NUMPY_DTYPES if tensor.offset is not None else _TORCH_FLOATS)


def read_rows(tensor: Tensor, ids: Sequence[int]) -> np.ndarray:
    """The rows `ids` of a 2-D tensor as float32, shape (len(ids), columns)."""
    if not readable(tensor):
        raise UnreadableRows(f"{tensor.name} is stored as {tensor.dtype}, which tokcheck does not decode")
    bad = [row for row in ids if not 0 <= row < tensor.rows]
    if bad:
        raise IndexError(f"row {bad[0]} is outside {tensor.name} ({tensor.rows} rows)")
    if tensor.offset is None:
        value = tensor.values if tensor.values is not None else torch_state_dict(tensor.file)[tensor.name]
        return np.asarray(value[list(ids)].float().numpy(), dtype=np.float32).reshape(len(ids), tensor.columns)
    dtype = np.dtype(_NUMPY_DTYPES[tensor.dtype])
    row_bytes = tensor.columns * dtype.itemsize
    out = np.empty((len(ids), tensor.columns), dtype=np.float32)
    descriptor = os.open(tensor.file, os.O_RDONLY)
    try:
        for position, row in enumerate(ids):
            raw = os.pread(descriptor, row_bytes, tensor.offset + row * row_bytes)
            if len(raw) != row_bytes:
                raise TokcheckUsageError(f"{tensor.file}: truncated inside {tensor.name} (row {row})")
            values = np.frombuffer(raw, dtype=dtype)
            out[position] = widen_bf16(values) if tensor.dtype == "BF16" else values
    finally:
        os.close(descriptor)
    return out


def widen_bf16(bits: np.ndarray) -> np.ndarray:
    """bfloat16 bit patterns (uint16) -> float32: a bfloat16 is the high 16 bits of a float32."""
    return (bits.astype(np.uint32) << 16).view(np.float32)


def torch_state_dict(path: Path) -> dict[str, Any]:
    """A pytorch_model.bin, memory-mapped (tensors are paged in only where rows are read). The
    caller keeps what it needs (ModelFiles.tensors holds each tensor in its record)."""
    import torch  # optional: only .bin files need it (unreadable() says so first)

    try:
        return dict(torch.load(path, map_location="cpu", weights_only=True, mmap=True))
    except Exception as error:  # an old non-zip pickle cannot be mapped: load it plainly
        try:
            return dict(torch.load(path, map_location="cpu", weights_only=True))
        except Exception:
            raise TokcheckUsageError(f"{path}: torch cannot load it ({' '.join(str(error).split())[:200]})") from None


def spread(candidates: Sequence[int], count: int) -> list[int]:
    """`count` ids spread evenly over `candidates` (all of them when there are fewer): the same
    sample every run, covering early and late ids alike."""
    if len(candidates) <= count:
        return list(candidates)
    step = len(candidates) / count
    return [candidates[int(index * step)] for index in range(count)]
