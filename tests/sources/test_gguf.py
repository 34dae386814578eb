"""GGUF specs: tokcheck's reader agrees with gguf's GGUFReader on every vendored llama.cpp test
vocabulary and every zoo GGUF; bad files are one line and a usage exit; split files resolve to
their first shard; a missing gguf package names what to install."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import pytest

from tests.llamacpp_marks import needs_converter, needs_sources
from tokcheck.cli import main
from tokcheck.errors import TokcheckUsageError
from tokcheck.sources.gguf.reader import GGUFFormatError, read_gguf
from tokcheck.sources.spec import resolve
from tokcheck.zoo.gguf import llamacpp
from tokcheck.zoo.gguf.catalog import GGUF_MUTANTS

VOCABS = [p.name for p in llamacpp.vocab_files()] if llamacpp.unavailable() is None else []
TOKENIZER_KEYS = ("tokenizer.ggml.tokens", "tokenizer.ggml.token_type", "tokenizer.ggml.merges", "tokenizer.ggml.scores")


def assert_agrees_with_gguf(path: Path) -> None:
    import gguf
    import numpy as np

    ours = read_gguf(path)
    theirs = gguf.GGUFReader(path)
    names = [name for name in theirs.fields if not name.startswith("GGUF.")]
    assert sorted(names) == sorted(ours.fields)
    for name in names:
        expected = theirs.fields[name].contents()
        actual = ours.fields[name]
        if isinstance(actual, np.ndarray):
            assert np.array_equal(actual, np.asarray(expected)), name
        elif isinstance(actual, float):
            assert actual == pytest.approx(expected), name
        else:
            assert actual == expected, name
    assert {t.name: tuple(int(d) for d in t.shape) for t in theirs.tensors} == ours.tensor_shapes
    assert all(name in ours.fields for name in TOKENIZER_KEYS[:1])


# One vocabulary of each kind (SentencePiece, WordPiece, byte-level BPE) in the default tier, every
# other vendored one in the slow tier; zoo GGUFs of the full sizes follow.
DEFAULT_TIER_VOCABS = ("ggml-vocab-llama-spm.gguf", "ggml-vocab-bert-bge.gguf", "ggml-vocab-gpt-2.gguf")


@needs_sources
@pytest.mark.parametrize("name", [n if n in DEFAULT_TIER_VOCABS else pytest.param(n, marks=pytest.mark.slow) for n in VOCABS])
def test_reader_agrees_with_gguf_on_the_vendored_vocabularies(name: str) -> None:
    assert_agrees_with_gguf(llamacpp.sources_dir() / "models" / name)


# Full-size zoo GGUFs: byte-level BPE with merges (qwen2), SentencePiece (mistral-v3), a GGUF without
# the merges key; llama3-gguf, the same kind as qwen2's and gguf-py's slowest read (19 s), is the slow tier.
@needs_converter
@pytest.mark.parametrize("name", [pytest.param("llama3-gguf", marks=pytest.mark.slow), "qwen2-gguf", "mistral-v3-gguf",
                                  "llama3-gguf-no-merges"])
def test_reader_agrees_with_gguf_on_zoo_ggufs(name: str) -> None:
    assert_agrees_with_gguf(resolve(f"zoo:{name}").path)


def gguf_header(tensor_count: int, kv: list[tuple[str, bytes]]) -> bytes:
    body = b"".join(struct.pack("<Q", len(k)) + k.encode() + v for k, v in kv)
    return b"GGUF" + struct.pack("<IQQ", 3, tensor_count, len(kv)) + body


def string_array_claiming(count: int) -> bytes:
    return struct.pack("<IIQ", 9, 8, count)  # ARRAY of STRING, count


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (gguf_header(0, [("tokenizer.ggml.tokens", string_array_claiming(2**40))]), "truncated"),
        (gguf_header(0, [("general.architecture", struct.pack("<IQ", 8, 100) + b"llama")]), "truncated"),
        (b"GGUF" + struct.pack("<IQQ", 3, 0, 2**40), "more than the file can hold"),
        (b"PK\x03\x04 not a gguf", "not a GGUF file"),
        (b"GGUF" + struct.pack(">IQQ", 3, 0, 0), "big-endian"),
        (b"", "empty"),
    ],
    ids=["2^40-tokens", "truncated-string", "2^40-keys", "zip", "big-endian", "empty"],
)
def test_a_malformed_gguf_is_one_line_and_exit_2(tmp_path: Path, content: bytes, expected: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(content)
    with pytest.raises(GGUFFormatError, match=expected):
        read_gguf(bad)
    assert main(["diff", str(bad), str(bad)]) == 2
    err = capsys.readouterr().err
    assert expected in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_malformed_gguf_is_a_pytest_usage_error(pytester: pytest.Pytester) -> None:
    bad = pytester.path / "bad.gguf"
    bad.write_bytes(gguf_header(0, [("tokenizer.ggml.tokens", string_array_claiming(2**40))]))
    result = pytester.runpytest("--base-tokenizer", str(bad), "--tuned", str(bad))
    assert result.ret == 4
    assert "truncated" in result.stderr.str() and "Traceback" not in result.stderr.str()


@needs_converter
def test_a_later_shard_resolves_to_the_first(tmp_path: Path) -> None:
    faithful = resolve("zoo:llama3-gguf").path
    first = tmp_path / "model-00001-of-00002.gguf"
    first.write_bytes(faithful.read_bytes())
    (tmp_path / "model-00002-of-00002.gguf").write_bytes(b"tensor data only")
    assert resolve(str(tmp_path / "model-00002-of-00002.gguf")).path == first
    assert resolve(str(first)).path == first
    first.unlink()
    with pytest.raises(TokcheckUsageError, match=r"model-00001-of-00002\.gguf"):
        resolve(str(tmp_path / "model-00002-of-00002.gguf"))


def test_without_the_gguf_package_one_line_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "x.gguf"
    path.write_bytes(b"GGUF")
    monkeypatch.setitem(sys.modules, "gguf", None)
    with pytest.raises(TokcheckUsageError, match=r"pip install 'tokcheck\[gguf\]'"):
        resolve(str(path))


@needs_converter
def test_every_faithful_conversion_passes_diff_against_its_base(capsys: pytest.CaptureFixture[str]) -> None:
    for mutant in (m for m in GGUF_MUTANTS if m.benign):
        assert main(["diff", f"zoo:{mutant.base}", f"zoo:{mutant.name}"]) == 0, capsys.readouterr().out


def test_a_gguf_sides_content_hash_covers_its_metadata_and_not_its_tensor_data(tmp_path: Path) -> None:
    """The report's content sha256 of a GGUF side: its header and key-value section, so an edited
    key changes it and appended tensor bytes (never read) do not; never the hash of no file."""
    import hashlib

    from tests.fuzz.harness import build_checkpoint, gguf_export
    from tokcheck.report.context import content_hash
    from tokcheck.sources.snapshot import take_snapshot

    def side_hash(path: Path) -> str:
        source = resolve(str(path))
        return content_hash(source, take_snapshot(source))

    exported = gguf_export(build_checkpoint(tmp_path / "checkpoint"), tmp_path / "export") / "model.gguf"
    first = side_hash(exported)
    assert first != hashlib.sha256().hexdigest()[:16]
    with exported.open("ab") as handle:  # bytes past the key-value section: tensor data to a reader
        handle.write(b"\0" * 4096)
    assert side_hash(exported) == first
    data = exported.read_bytes()
    edited = data.replace(b"llama-bpe", b"llama-bpf", 1)
    assert edited != data
    exported.write_bytes(edited)
    assert side_hash(exported) != first
