"""Faithful re-saves by the real libraries pass `tokcheck diff --strict` (no error, no warning):
transformers 5 writes keys a model class reads only where it has them (tie_word_embeddings of an
encoder without an LM head), and loader arguments, on every save."""

from __future__ import annotations

from pathlib import Path

import pytest

from tokcheck.cli import main
from tokcheck.sources.spec import resolve

pytestmark = pytest.mark.torch
pytest.importorskip("torch", reason="torch is not installed")
transformers = pytest.importorskip("transformers")


def test_a_minilm_resaved_with_automodel_and_autotokenizer_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = resolve("zoo:minilm").directory
    resaved = tmp_path / "minilm"
    transformers.AutoModel.from_pretrained(str(base)).save_pretrained(str(resaved))
    transformers.AutoTokenizer.from_pretrained(str(base)).save_pretrained(str(resaved))
    assert main(["diff", str(base), str(resaved), "--strict"]) == 0, capsys.readouterr().out
