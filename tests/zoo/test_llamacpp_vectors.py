"""llama.cpp's tokenizer test vectors (tests/data/llamacpp-golden, copied from llama.cpp): every
input of the vocabulary's file encodes, without special tokens, to llama.cpp's expected ids."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.zoo.conftest import Loaded, first_mismatches

GOLDEN = Path(__file__).parent.parent / "data" / "llamacpp-golden"
SEPARATOR = "\n__ggml_vocab_test__\n"


def read_vectors(vocab: str) -> tuple[list[str], list[list[int]]]:
    """Inputs split on llama.cpp's separator (the file ends with one); one line of ids per input."""
    inputs = (GOLDEN / f"ggml-vocab-{vocab}.gguf.inp").read_text(encoding="utf-8").split(SEPARATOR)
    assert inputs[-1] == ""
    inputs = inputs[:-1]
    lines = (GOLDEN / f"ggml-vocab-{vocab}.gguf.out").read_text(encoding="utf-8").split("\n")
    return inputs, [[int(token) for token in line.split()] for line in lines[: len(inputs)]]


@pytest.mark.parametrize(
    ("vocab", "name"),
    [
        ("llama-bpe", "llama3"),
        ("llama-bpe", "llama3.1"),  # the same 128,000 ranks
        ("qwen2", "qwen2"),
        ("bert-bge", "minilm"),  # bge uses bert-base-uncased's vocabulary, as MiniLM does
        ("tekken", "mistral-tekken"),
    ],
)
def test_zoo_tokenizer_passes_all_llamacpp_vectors(
    vocab: str, name: str, load: Callable[[str], Loaded], report: Callable[..., None]
) -> None:
    inputs, expected = read_vectors(vocab)
    assert len(inputs) == 46
    loaded = load(name)
    got = loaded.ids(inputs)
    raw = loaded.raw_ids(inputs)
    passed = sum(a == b for a, b in zip(expected, got))
    report(name, f"llama.cpp vectors ggml-vocab-{vocab}", len(inputs), len(inputs) - passed)
    assert got == expected, first_mismatches(inputs, expected, got)
    assert raw == expected, first_mismatches(inputs, expected, raw)
