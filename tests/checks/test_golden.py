"""Golden files: the zoo tokenizers still behave as recorded on this transformers version, the
files diff one entry a line, a family file overrides only its entries, and GoldenFiles (the flow
the plugin and `tokcheck golden` share) records, compares and never writes inside a source."""

from __future__ import annotations

from pathlib import Path

import pytest

from tokcheck.checks import golden
from tokcheck.errors import TokcheckUsageError
from tokcheck.sources.live import load_tokenizer
from tokcheck.sources.spec import resolve

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
ZOO_GOLDENS = sorted(path.name for path in GOLDEN.iterdir() if path.is_dir())


def test_every_zoo_base_has_golden_files() -> None:
    assert ZOO_GOLDENS == ["llama3", "llama3.1", "minilm", "mistral-tekken", "mistral-v3", "qwen2"]


@pytest.mark.parametrize("name", ZOO_GOLDENS)
@pytest.mark.parametrize("kind", golden.KINDS)
def test_zoo_tokenizer_matches_its_golden_files(name: str, kind: str) -> None:
    tokenizer = load_tokenizer(resolve(f"zoo:{name}"))
    findings = golden.compare(kind, golden.expected(GOLDEN / name, kind), golden.record(tokenizer, kind), tokenizer,
                              str(GOLDEN / name))
    assert not findings, "\n".join(f"{f.message}\n{f.detail}" for f in findings[:5])


def test_golden_corpus_holds_llamacpp_inputs_and_every_family() -> None:
    texts = golden.golden_corpus()
    assert texts[: len(golden.llamacpp_inputs())] == golden.llamacpp_inputs()
    assert "Cửa Việt" in texts and len(texts) > 2000 and len(set(texts)) == len(texts)


def test_family_file_replaces_only_its_entries(tmp_path: Path) -> None:
    shared = [{"text": "a", "ids": [1]}, {"text": "b", "ids": [2]}]
    golden.write(tmp_path / "encode.json", "encode", "x", shared)
    golden.write(golden.family_path(tmp_path, "encode"), "encode", "x", [{"text": "b", "ids": [3]}])
    assert golden.expected(tmp_path, "encode") == [{"text": "a", "ids": [1]}, {"text": "b", "ids": [3]}]


def test_one_entry_per_line(tmp_path: Path) -> None:
    entries = [{"text": "a\nb", "ids": [1, 2]}, {"text": "c", "ids": [3]}]
    golden.write(tmp_path / "encode.json", "encode", "x", entries)
    lines = (tmp_path / "encode.json").read_text(encoding="utf-8").splitlines()
    assert lines[1] == '{"text": "a\\nb", "ids": [1, 2]},' and golden.load(tmp_path / "encode.json") == entries


def test_golden_files_record_compare_and_say_what_changed(toy_dir: Path, tmp_path: Path) -> None:
    files = golden.GoldenFiles(tmp_path / "g")
    tokenizer = load_tokenizer(resolve(str(toy_dir)))
    with pytest.raises(TokcheckUsageError, match=r"chat.json: no golden file; record one with `tokcheck golden record`"):
        files.compare("chat", tokenizer)
    recorded = files.record("chat", tokenizer, "toy")
    assert (recorded.path, recorded.replaced) == (tmp_path / "g" / "chat.json", False)
    assert recorded.entries == 2 * len(golden.TRANSCRIPTS) and files.compare("chat", tokenizer) == []
    assert files.record("chat", tokenizer, "toy").replaced


def test_a_family_recording_keeps_only_what_this_major_does_differently(toy_dir: Path, tmp_path: Path) -> None:
    files = golden.GoldenFiles(tmp_path)
    tokenizer = load_tokenizer(resolve(str(toy_dir)))
    files.record("encode", tokenizer, "toy")
    family_file = golden.family_path(tmp_path, "encode")
    family_file.write_text("stale", encoding="utf-8")
    nothing = files.record("encode", tokenizer, "toy", family_only=True)
    assert nothing.entries is None and not family_file.exists()  # the same behaviour: no family file


def test_golden_files_refuse_a_directory_inside_a_tokenizer(toy_dir: Path) -> None:
    with pytest.raises(TokcheckUsageError, match=r"^--tokcheck-golden g: inside the tuned tokenizer's directory .*never writes"):
        golden.GoldenFiles(toy_dir / "g", {"tuned tokenizer": toy_dir}, label="--tokcheck-golden g")
