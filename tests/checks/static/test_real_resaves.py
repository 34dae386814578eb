"""Faithful re-saves by the real libraries pass `tokcheck diff --strict` (no error, no warning):
transformers 5 writes keys a model class reads only where it has them (tie_word_embeddings of an
encoder without an LM head), and loader arguments, on every save. A transformers save of a
sentence-transformers model writes none of its module files, though: that is drift for every
consumer that pools (sentence-transformers, TEI, vLLM's embedding models), and the only finding."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tokcheck.cli import main
from tokcheck.sources.spec import resolve

pytestmark = pytest.mark.torch
pytest.importorskip("torch", reason="torch is not installed")
transformers = pytest.importorskip("transformers")


ST_FILES = ("modules.json", "sentence_bert_config.json", "config_sentence_transformers.json", "1_Pooling")


def _resaved(tmp_path: Path) -> tuple[Path, Path]:
    base = resolve("zoo:minilm").directory
    resaved = tmp_path / "minilm"
    transformers.AutoModel.from_pretrained(str(base)).save_pretrained(str(resaved))
    transformers.AutoTokenizer.from_pretrained(str(base)).save_pretrained(str(resaved))
    return base, resaved


def test_a_minilm_resaved_with_automodel_and_autotokenizer_keeping_its_modules_passes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base, resaved = _resaved(tmp_path)
    for name in ST_FILES:  # what SentenceTransformer.save writes beside the transformers save
        source = base / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, resaved / name)
    assert main(["diff", str(base), str(resaved), "--strict"]) == 0, capsys.readouterr().out


def test_a_bare_transformers_resave_of_a_sentence_transformers_model_loses_only_its_modules(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base, resaved = _resaved(tmp_path)
    assert main(["diff", str(base), str(resaved), "--strict"]) == 1
    out = capsys.readouterr().out
    assert "DRIFT: 1 error(s), 0 warning(s)" in out and "[sentence_transformers] tuned has no modules.json" in out
