"""Rows read one at a time by byte offset: F32 (real MiniLM), F16 and a hand-written BF16 file,
against the safetensors library's own slices and exactly representable values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from safetensors import safe_open

from tests.checks.model import builders
from tokcheck.checks.model.rows import UnreadableRows, read_rows, spread, widen_bf16
from tokcheck.checks.model.weights import Tensor, open_model


def test_minilm_rows_match_library_slices(minilm: Path) -> None:
    tensor = open_model(str(minilm)).tensors["embeddings.word_embeddings.weight"]
    ids = [0, 101, 102, 7592, 30521]
    rows = read_rows(tensor, ids)
    with safe_open(str(minilm / "model.safetensors"), "np") as handle:
        sliced = handle.get_slice("embeddings.word_embeddings.weight")
        expected = np.stack([sliced[token_id : token_id + 1][0] for token_id in ids])
    np.testing.assert_array_equal(rows, expected)
    assert rows.dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_f16_and_f32_rows_equal_the_saved_arrays(tmp_path: Path, dtype: type) -> None:
    tensors: builders.Tensors = {"model.embed_tokens.weight": (np.random.default_rng(3).standard_normal((50, 16))).astype(dtype)}
    builders.save_safetensors(tmp_path, tensors)
    (tmp_path / "config.json").write_text("{}")
    tensor = open_model(str(tmp_path)).tensors["model.embed_tokens.weight"]
    ids = [49, 0, 17]
    np.testing.assert_array_equal(read_rows(tensor, ids), tensors["model.embed_tokens.weight"][ids].astype(np.float32))


def test_bf16_rows_widen_to_the_exact_float32_values(tmp_path: Path) -> None:
    # Values whose low 16 bits are zero are exact in bfloat16 (-2**-130 is a subnormal): the reader must
    # give them back bit for bit.
    rng = np.random.default_rng(4)
    exact = (rng.standard_normal((40, 16)).astype(np.float32).view(np.uint32) & 0xFFFF0000).view(np.float32)
    exact[5] = [0.0, -0.0, 1.0, -2.0, 0.5, 3.140625, 65280.0, -(2.0**-130), np.inf, -np.inf, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    builders.save_safetensors(tmp_path, {"model.embed_tokens.weight": exact}, bf16=True)
    (tmp_path / "config.json").write_text("{}")
    tensor = open_model(str(tmp_path)).tensors["model.embed_tokens.weight"]
    assert tensor.dtype == "BF16"
    ids = [5, 0, 39]
    np.testing.assert_array_equal(read_rows(tensor, ids), exact[ids])


def test_bf16_nan_stays_nan() -> None:
    assert np.isnan(widen_bf16(np.array([0x7FC0], dtype=np.uint16)))[0]
    assert widen_bf16(np.array([0x3F80, 0xC000], dtype=np.uint16)).tolist() == [1.0, -2.0]


def test_rounding_writer_matches_known_bf16_patterns() -> None:
    # 1 + 2**-8 sits halfway between two bfloat16 values; round-to-even keeps 1.0 (0x3F80).
    values = np.array([1.0 + 2**-8, 1.0 + 3 * 2**-8, -3.0], dtype=np.float32)
    assert builders.to_bf16_bits(values).tolist() == [0x3F80, 0x3F82, 0xC040]


def test_undecoded_dtypes_and_outside_rows_are_refused(tmp_path: Path) -> None:
    quantized = Tensor("w", "U8", (4, 4), tmp_path / "x.safetensors", 0)
    with pytest.raises(UnreadableRows, match="stored as U8"):
        read_rows(quantized, [0])
    plain = Tensor("w", "F32", (4, 4), tmp_path / "x.safetensors", 0)
    with pytest.raises(IndexError, match="row 4 is outside w"):
        read_rows(plain, [4])


def test_spread_is_deterministic_and_covers_both_ends() -> None:
    candidates = list(range(1000, 2000))
    picked = spread(candidates, 10)
    assert picked == [1000, 1100, 1200, 1300, 1400, 1500, 1600, 1700, 1800, 1900]
    assert spread(candidates[:5], 10) == candidates[:5]
