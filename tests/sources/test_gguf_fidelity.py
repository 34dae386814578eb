"""The approximate GGUF view against llama.cpp's own test vectors: docs/gguf.md's fidelity table is
what this run measures, vocabulary by vocabulary."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tokcheck.sources.gguf import approximate
from tokcheck.sources.gguf.fidelity import measure
from tokcheck.zoo.gguf import llamacpp

GGUF_DOC = Path(__file__).resolve().parents[2] / "docs" / "gguf.md"
pytestmark = [
    pytest.mark.llamacpp,
    pytest.mark.skipif(llamacpp.unavailable() is not None, reason=str(llamacpp.unavailable())),
    pytest.mark.skipif(approximate.unavailable() is not None, reason=str(approximate.unavailable())),
]


def documented() -> dict[str, str]:
    text = GGUF_DOC.read_text(encoding="utf-8")
    table = text[text.index("<!-- gguf-fidelity -->"): text.index("<!-- /gguf-fidelity -->")]
    return {m[1]: m[2] for m in re.finditer(r"^\| (\S+) \| \d+ \| (.+) \|$", table, re.M) if m[1] != "vocab"}


def vocabularies() -> list[str]:
    return sorted(documented())


@pytest.mark.parametrize("vocab", vocabularies())
def test_the_readme_fidelity_row_is_what_the_view_measures(vocab: str) -> None:
    found = measure(llamacpp.sources_dir() / "models" / f"ggml-vocab-{vocab}.gguf")
    row = documented()[vocab]
    if found.misses < 0:
        assert row.startswith("not built")
    elif found.misses == 0:
        assert row == "exact"
    else:
        assert row.startswith(f"{found.misses} misses"), (row, found)


def test_every_vendored_vocabulary_with_vectors_is_in_the_table() -> None:
    with_vectors = {p.name.removeprefix("ggml-vocab-").removesuffix(".gguf") for p in llamacpp.vocab_files()
                    if p.with_name(p.name + ".inp").is_file()}
    assert with_vectors == set(documented())


def test_the_views_known_exact_vocabularies_stay_exact() -> None:
    # Published for transformers 5.24's converter: exact for qwen2, phi-3 and gpt-2; tokcheck's
    # ignore_merges makes llama-bpe exact too.
    for vocab in ("qwen2", "phi-3", "gpt-2", "llama-bpe"):
        assert measure(llamacpp.sources_dir() / "models" / f"ggml-vocab-{vocab}.gguf").misses == 0, vocab
