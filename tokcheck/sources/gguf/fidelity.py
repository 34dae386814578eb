"""How close the approximate view comes to llama.cpp: each vendored models/ggml-vocab-*.gguf's
inputs (.inp) encoded without special tokens, against llama.cpp's ids (.out)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tokcheck.errors import TokcheckUsageError
from tokcheck.sources.gguf.approximate import load_approximate
from tokcheck.sources.gguf.metadata import read_tokenizer

SEPARATOR = "\n__ggml_vocab_test__\n"


@dataclass(frozen=True)
class Fidelity:
    vocab: str
    inputs: int
    misses: int  # -1: the converter cannot build this vocabulary
    first_miss: str = ""


def read_vectors(gguf_path: Path) -> tuple[list[str], list[list[int]]]:
    inputs = gguf_path.with_name(gguf_path.name + ".inp").read_text(encoding="utf-8").split(SEPARATOR)[:-1]
    lines = gguf_path.with_name(gguf_path.name + ".out").read_text(encoding="utf-8").split("\n")
    return inputs, [[int(token) for token in line.split()] for line in lines[: len(inputs)]]


def measure(gguf_path: Path) -> Fidelity:
    vocab = gguf_path.name.removeprefix("ggml-vocab-").removesuffix(".gguf")
    inputs, expected = read_vectors(gguf_path)
    try:
        tokenizer = load_approximate(read_tokenizer(gguf_path, vocab))
    except TokcheckUsageError as error:
        return Fidelity(vocab, len(inputs), -1, str(error).split(": ", 2)[-1][:80])
    misses = [text for text, ids in zip(inputs, expected) if tokenizer.encode(text, add_special_tokens=False) != ids]
    return Fidelity(vocab, len(inputs), len(misses), repr(misses[0])[:40] if misses else "")
