"""`tokcheck fix` on a GGUF TUNED. The writer (default tier, 0.2 s): a GGUF with tensors, made by
gguf's own GGUFWriter, gets its key edited and its tensors back byte for byte (read again by gguf's
GGUFReader), and with no edit comes back identical. The zoo's GGUF mutants (the gguf env, which has
llama.cpp's converter and llama-cpp-python): each fixed, or what remains listed with its reason;
OUT then loads in llama.cpp and tokenizes like the faithful conversion; the inputs never written."""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
from pathlib import Path
from typing import Any

import pytest

from tests.files import tree_digest
from tests.llamacpp_marks import needs_converter, needs_runtime
from tokcheck import zoo
from tokcheck.cli import EXIT_CLEAN, EXIT_DRIFT, main
from tokcheck.zoo.gguf.catalog import FAITHFUL, GGUF_MUTANTS
from tokcheck.zoo.mutants import Mutant

gguf = pytest.importorskip("gguf")

PRE = "tokenizer.ggml.pre"


def _small_gguf(path: Path) -> None:
    import numpy as np

    writer = gguf.GGUFWriter(path, arch="llama")
    writer.data_alignment = 64  # not the default 32: the copy must keep the file's own
    writer.add_uint32("general.alignment", 64)
    writer.add_string(PRE, "smaug-bpe")
    writer.add_array("tokenizer.ggml.tokens", ["a", "b", "\u00e9"])
    writer.add_array("tokenizer.ggml.token_type", [1, 1, 3])
    writer.add_tensor("output_norm.weight", np.arange(7, dtype=np.float32))
    writer.add_tensor("token_embd.weight", np.arange(3 * 5, dtype=np.float16).reshape(3, 5))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def _read(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    reader = gguf.GGUFReader(path)
    fields = {name: field.contents() for name, field in reader.fields.items() if not name.startswith("GGUF.")}
    tensors = {tensor.name: bytes(tensor.data.tobytes()) for tensor in reader.tensors}
    return fields, tensors


def test_the_gguf_writer_edits_keys_and_copies_the_tensors_unchanged(tmp_path: Path) -> None:
    from tokcheck.fix.gguf import write_gguf
    from tokcheck.sources.gguf.reader import STRING

    source = tmp_path / "in.gguf"
    _small_gguf(source)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    write_gguf(source, tmp_path / "same.gguf", {}, str(source))
    assert (tmp_path / "same.gguf").read_bytes() == source.read_bytes()

    write_gguf(source, tmp_path / "out.gguf", {PRE: (STRING, "llama-bpe", None), "tokenizer.ggml.token_type": None},
               str(source))
    before, before_tensors = _read(source)
    after, after_tensors = _read(tmp_path / "out.gguf")
    assert after[PRE] == "llama-bpe" and "tokenizer.ggml.token_type" not in after
    assert {k: v for k, v in after.items() if k != PRE} == {k: v for k, v in before.items()
                                                            if k not in (PRE, "tokenizer.ggml.token_type")}
    assert after_tensors == before_tensors and len(after_tensors) == 2
    assert hashlib.sha256(source.read_bytes()).hexdigest() == digest


# What must remain, per GGUF mutant. llama3-eom-gguf was converted from a model resized for
# <|eom_id|> (vocab_size 128257): the GGUF's token list is the model's vocabulary, one embedding
# row per token, so the extra token stays (most likely intended: --accept), and against its HF base
# (config vocab_size 128256 beside a 128257-token tokenizer) the converter itself would abort.
EXPECTED_REMAINING: dict[str, set[str]] = {
    "llama3-eom-gguf": {"gguf.token-count", "gguf.token-changed", "gguf.conversion-note"},
}
DRIFT = [m for m in GGUF_MUTANTS if not m.benign]
QUICK = {"llama3-eom-gguf", "llama3-gguf-eot-normal", "qwen2-gguf-added-token-dropped"}  # the rest: slow tier
TEXTS = ["Hello world, it's 2024!", "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>", "  spaced\tout  ",
         "<|im_start|>user\nhi<|im_end|>", "naïve café 東京"]


def _fix(*argv: str) -> tuple[int, str]:
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main(["fix", *argv])
    return code, stdout.getvalue()


def _faithful(mutant: Mutant) -> Mutant:
    """The faithful conversion a GGUF mutant was made from (its base, or its base's base)."""
    by_name = {m.name: m for m in GGUF_MUTANTS}
    while mutant not in FAITHFUL:
        mutant = by_name[mutant.base]
    return mutant


@needs_converter
@needs_runtime
@pytest.mark.parametrize("mutant", [pytest.param(m, id=m.name, marks=[] if m.name in QUICK else [pytest.mark.slow])
                                    for m in DRIFT])
def test_every_gguf_mutant_is_fixed_and_loads_in_llamacpp(mutant: Mutant, tmp_path: Path) -> None:
    from tokcheck.sources.gguf.llamacpp_runtime import LlamaCppTokenizer

    inputs = [zoo.path_for(mutant.base), zoo.path_for(mutant.name)]
    before = [tree_digest(path) for path in inputs]
    code, out = _fix(f"zoo:{mutant.base}", f"zoo:{mutant.name}", "-o", str(tmp_path / "out"))
    expected = EXPECTED_REMAINING.get(mutant.name, set())
    assert set(re.findall(r"^remains: \w+ (\S+):", out, flags=re.MULTILINE)) == expected, out
    assert code == (EXIT_DRIFT if expected else EXIT_CLEAN), out
    assert [tree_digest(path) for path in inputs] == before
    fixed = tmp_path / "out" / "tokenizer.gguf"
    if expected:
        assert "pass --accept gguf.token-changed" in out and "most likely intended" in out
        return
    runtime = LlamaCppTokenizer(fixed)
    faithful = LlamaCppTokenizer(zoo.path_for(_faithful(mutant).name) / "tokenizer.gguf")
    assert len(runtime) == len(faithful)
    for text in TEXTS:
        assert runtime.encode(text) == faithful.encode(text), text
    assert runtime.special_ids() == faithful.special_ids()


@needs_converter
def test_gguf_dry_run_prints_the_key_and_writes_nothing(tmp_path: Path) -> None:
    code, out = _fix("zoo:llama3-gguf", "zoo:llama3-gguf-pre-smaug", "-o", str(tmp_path / "out"), "--dry-run")
    assert code == EXIT_DRIFT and not (tmp_path / "out").exists()
    assert "--- a/tokenizer.gguf [tokenizer.ggml.pre]\n" in out and "-'smaug-bpe'\n+'llama-bpe'\n" in out


@needs_converter
def test_a_faithful_gguf_has_nothing_to_fix(tmp_path: Path) -> None:
    code, out = _fix("zoo:qwen2", "zoo:qwen2-gguf", "-o", str(tmp_path / "out"))
    assert code == EXIT_CLEAN and out.startswith("nothing to fix") and not (tmp_path / "out").exists()
