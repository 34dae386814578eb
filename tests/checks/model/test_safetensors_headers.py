"""The hand-written safetensors header parser against the safetensors library, on the real MiniLM
weights, and its one-line errors on broken files."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
from safetensors import safe_open

from tokcheck.checks.model.safetensors_headers import read_header
from tokcheck.errors import TokcheckUsageError


def test_minilm_header_matches_the_safetensors_library(minilm: Path) -> None:
    path = minilm / "model.safetensors"
    header = read_header(path)
    with safe_open(str(path), "np") as handle:
        names = set(handle.keys())
        assert set(header.tensors) == names
        for name in names:
            sliced = handle.get_slice(name)
            assert header.tensors[name].shape == tuple(sliced.get_shape())
            assert header.tensors[name].dtype == sliced.get_dtype()
    assert header.tensors["embeddings.word_embeddings.weight"].shape == (30522, 384)
    assert header.metadata == {"format": "pt"}


def test_offsets_point_at_the_tensor_bytes(minilm: Path) -> None:
    path = minilm / "model.safetensors"
    tensor = read_header(path).tensors["embeddings.LayerNorm.weight"]
    with path.open("rb") as handle:
        handle.seek(tensor.offset)
        raw = handle.read(tensor.nbytes)
    with safe_open(str(path), "np") as reference:
        np.testing.assert_array_equal(np.frombuffer(raw, "<f4"), reference.get_tensor("embeddings.LayerNorm.weight"))


def _file(tmp_path: Path, header: bytes, data: bytes = b"", length: int | None = None) -> Path:
    path = tmp_path / "broken.safetensors"
    path.write_bytes(struct.pack("<Q", len(header) if length is None else length) + header + data)
    return path


@pytest.mark.parametrize(
    ("header", "data", "length", "message"),
    [
        (b"", b"", None, "header is not JSON"),
        (b"[1, 2]", b"", None, "header is not a JSON object"),
        (b"{}", b"", 10**9, "header length 1000000000 does not fit the file"),
        (json.dumps({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}).encode(), b"\0" * 8, None,
         "tensor 'w' lies outside the file"),
        (json.dumps({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 8]}}).encode(), b"\0" * 8, None,
         "tensor 'w' is F32 [2, 2] (16 bytes) but its header gives 8 bytes"),
        (json.dumps({"w": {"dtype": "F32", "shape": [2]}}).encode(), b"", None, "tensor 'w' has a malformed header entry"),
    ],
)
def test_broken_files_are_one_line_usage_errors(
    tmp_path: Path, header: bytes, data: bytes, length: int | None, message: str
) -> None:
    with pytest.raises(TokcheckUsageError) as error:
        read_header(_file(tmp_path, header, data, length))
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_a_file_shorter_than_the_length_prefix(tmp_path: Path) -> None:
    path = tmp_path / "short.safetensors"
    path.write_bytes(b"\x01\x02")
    with pytest.raises(TokcheckUsageError, match="shorter than its 8-byte header length"):
        read_header(path)
