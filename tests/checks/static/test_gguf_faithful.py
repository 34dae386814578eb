"""A faithful GGUF conversion passes `tokcheck diff` whatever layout the base has.

With a config.json beside the tokenizer, the zoo self-test runs the whole suite on each base's
`{base}-gguf` entry (tests/zoo/test_mutants.py, gguf env). Here the base is tokenizer-only (a
tokenizer repo, or a --base-tokenizer that points at the tokenizer files) while the GGUF was
converted by the real convert_hf_to_gguf.py with a config.json added only for the conversion: that
is what each zoo GGUF entry is (the converter reads no other file of the directory than the
tokenizer's and config.json), so tokcheck has to take what the config decided (vocab_size and the
padding rows, the SentencePiece-or-BPE choice, config's special ids) from the GGUF, and say so."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.llamacpp_marks import needs_converter
from tokcheck.cli import main
from tokcheck.sources.files import KNOWN_FILES, TEMPLATE_DIR
from tokcheck.sources.spec import resolve
from tokcheck.zoo.gguf.catalog import CONVERTIBLE
from tokcheck.zoo.gguf.convert import GGUF_NAME

MODEL_FILES = ("config.json", "generation_config.json")


def tokenizer_only(base: str, dest: Path) -> Path:
    """The zoo base's tokenizer files, without its model configs (or weights and modules)."""
    source = resolve(f"zoo:{base}").directory
    dest.mkdir()
    for name in KNOWN_FILES:
        if name not in MODEL_FILES and (source / name).is_file():
            shutil.copy(source / name, dest / name)
    if (source / TEMPLATE_DIR).is_dir():
        shutil.copytree(source / TEMPLATE_DIR, dest / TEMPLATE_DIR)
    return dest


@needs_converter
@pytest.mark.parametrize("base", CONVERTIBLE)
def test_a_faithful_conversion_passes_against_a_tokenizer_only_base(
    base: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gguf = resolve(f"zoo:{base}-gguf").directory / GGUF_NAME
    directory = tokenizer_only(base, tmp_path / base)
    assert main(["diff", str(directory), str(gguf)]) == 0, capsys.readouterr().out


@needs_converter
def test_a_finding_that_rests_on_a_missing_config_says_so(tmp_path: Path) -> None:
    """The founding drift against a tokenizer-only base: the GGUF's added token is still reported,
    and the report says what tokcheck took from the GGUF for want of a config.json."""
    gguf = resolve("zoo:llama3-eom-gguf").directory / GGUF_NAME
    directory = tokenizer_only("llama3", tmp_path / "llama3")
    assert main(["diff", str(directory), str(gguf), "--report", str(tmp_path / "report.json")]) == 1
    findings = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["findings"]
    eom = [f for f in findings if f["code"] == "gguf.token-changed"]
    assert eom and "128256: '[PAD128256]' -> '<|eom_id|>'" in eom[0]["message"], findings
    assert "rests on a guess: no config.json beside" in eom[0]["detail"], eom
